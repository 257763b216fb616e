"""Retraining decided by the drift monitors and the retrain trigger: the first check always
fits, a trigger that cannot fire keeps one model, one that always fires is the scheduled
walk-forward, shifted features fire it, nothing unknown at a check moves its decision, and
``run_model`` reports the checks and fits it made."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.base import clone

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.services.research import ResearchConfig
from microfolio.services.research.forecasts import run_model
from microfolio.services.research.retrain import (
    RetrainCheck,
    TriggeredWalkForward,
    walk_forward_triggered,
)
from microfolio.signals.forecast import (
    ElasticNetForecaster,
    Forecaster,
    MomentumBaseline,
    ZeroForecaster,
    cross_sectional_zscore,
)
from microfolio.signals.monitor import (
    ErrorDriftMonitor,
    FeatureDriftMonitor,
    RetrainTrigger,
    rank_ic,
)
from microfolio.signals.validation import Split, WalkForward, walk_forward_predict
from microfolio.signals.validation._slicing import fit_on, predict_on

HORIZON = 5
WINDOW = 20  #: error_window: IC dates on each side of the error drift test, feature window
NEVER = 10**6  #: a max_age_sessions no model reaches
Splits = list[tuple[pd.DatetimeIndex, pd.DatetimeIndex]]


@dataclass(frozen=True)
class Data:
    x: FeatureFrame
    y: pd.Series
    realised: pd.Series
    sessions: pd.DatetimeIndex
    splits: Splits


def synthetic(n_dates: int = 420, n_tickers: int = 12, seed: int = 3) -> Data:
    """Features ``mom_252_21``, ``noise_a``, ``noise_b`` ~ N(0, 1) on business days; the label
    ``0.02 * mom_252_21 + 0.02 * N(0, 1)`` (NaN on the last ``HORIZON`` dates, as a forward
    label), the realised return the label plus a per-date market move; expanding splits of
    21 test sessions after 100 training dates."""
    rng = np.random.default_rng(seed)
    sessions = pd.bdate_range("2015-01-01", periods=n_dates)
    tickers = [f"T{i:02d}" for i in range(n_tickers)]
    index = pd.MultiIndex.from_product([sessions, tickers], names=list(INDEX_NAMES))
    values = rng.standard_normal((len(index), 3))
    frame = pd.DataFrame(values, index=index, columns=["mom_252_21", "noise_a", "noise_b"])
    label = 0.02 * values[:, 0] + 0.02 * rng.standard_normal(len(index))
    market = np.repeat(0.01 * rng.standard_normal(n_dates), n_tickers)
    last = index.get_level_values(INDEX_NAMES[0]) > sessions[-HORIZON - 1]
    label[last] = np.nan
    y = pd.Series(label, index=index, name="label")
    realised = pd.Series(label + market, index=index, name="realised")
    walk = WalkForward(test_size=21, horizon=HORIZON, min_train=100)
    splits = [(split.train, split.test) for split in walk.split(sessions)]
    return Data(FeatureFrame(frame), y, realised, pd.DatetimeIndex(sessions), splits)


def walk(
    data: Data,
    trigger: RetrainTrigger,
    forecaster: Forecaster | None = None,
    feature_monitor: FeatureDriftMonitor | None = None,
    reference_dates: int = 252,
) -> TriggeredWalkForward:
    return walk_forward_triggered(
        MomentumBaseline() if forecaster is None else forecaster,
        data.x,
        data.y,
        data.realised,
        data.splits,
        data.sessions,
        HORIZON,
        trigger,
        reference_dates=reference_dates,
        error_window=WINDOW,
        feature_monitor=feature_monitor,
    )


def shifted_from(x: FeatureFrame, start: pd.Timestamp, by: float = 10.0) -> FeatureFrame:
    """``x`` with every feature on dates from ``start`` on moved by ``by``."""
    frame = x.frame
    later = frame.index.get_level_values(INDEX_NAMES[0]) >= start
    frame.loc[later] = frame.loc[later] + by
    return FeatureFrame(frame, x.spec)


def comparable(check: RetrainCheck) -> tuple[object, ...]:
    """A check as a tuple whose NaN fields compare equal (as strings)."""
    return (
        check.date,
        check.refit,
        check.reasons,
        check.detail,
        check.train_start,
        check.train_end,
        check.n_train,
        repr(check.drifted_share),
        repr(check.error_p_value),
    )


@pytest.fixture(scope="module")
def data() -> Data:
    return synthetic()


def test_the_first_check_always_fits_on_the_first_training_window(data: Data) -> None:
    # Arrange: a trigger that would refit at every later check
    train, test = data.splits[0]

    # Act
    result = walk(data, RetrainTrigger(max_age_sessions=1))

    # Assert
    first = result.checks[0]
    assert first.date == test[0]
    assert first.refit is True
    assert first.reasons == ("initial",)
    assert (first.train_start, first.train_end) == (train[0], train[-1])
    alone = fit_on(MomentumBaseline(), data.x, data.y, train)
    assert isinstance(alone, MomentumBaseline)
    assert first.n_train == alone.n_train_ > 0
    assert math.isnan(first.drifted_share)
    assert math.isnan(first.error_p_value)
    assert result.fits[0] is first


def test_a_trigger_that_cannot_fire_keeps_the_first_model_for_every_test_date(
    data: Data,
) -> None:
    # Arrange: no age limit, no feature can be flagged (PSI never that large, KS 1 only for
    # samples that do not overlap), the share limit is nearly all; a model that learns
    model = ElasticNetForecaster(zscore_by_date=True, horizon=HORIZON)
    trigger = RetrainTrigger(max_drifted_share=0.99, max_age_sessions=NEVER)
    monitor = FeatureDriftMonitor(psi_threshold=1e9, ks_threshold=1.0)

    # Act
    result = walk(data, trigger, model, monitor)

    # Assert: one fit, every other check kept it, with the drift numbers it read
    assert len(result.checks) == len(data.splits) > 10
    assert [check.refit for check in result.checks] == [True] + [False] * (len(data.splits) - 1)
    assert all(check.reasons == () for check in result.checks[1:])
    assert all(check.drifted_share == 0.0 for check in result.checks[1:])
    # no earlier model scored before the first fit: error drift has no reference to go by
    assert all(math.isnan(check.error_p_value) for check in result.checks)
    assert all("(0 IC dates of earlier models" in check.detail for check in result.checks[1:])
    assert all(
        check.train_end == data.splits[0][0][-1] and f"age {21 * k} sessions: kept" in check.detail
        for k, check in enumerate(result.checks[1:], start=1)
    )
    # the scores of every test date are those of the one model fitted on the first window
    tested = pd.DatetimeIndex(np.concatenate([test for _, test in data.splits]))
    alone = fit_on(clone(model), data.x, data.y, data.splits[0][0])
    expected = predict_on(alone, data.x, tested).scores
    pd.testing.assert_series_equal(result.scores, expected)


def test_a_trigger_that_always_fires_is_the_scheduled_walk_forward(data: Data) -> None:
    # Arrange: every model is older than one session at the next check
    model = ElasticNetForecaster(zscore_by_date=True, horizon=HORIZON)
    scheduled = walk_forward_predict(model, data.x, data.y, [Split(*s) for s in data.splits])

    # Act
    result = walk(data, RetrainTrigger(max_age_sessions=1), model)

    # Assert
    assert result.fits == result.checks
    assert all("age" in check.reasons for check in result.checks[1:])
    assert [(c.train_end, c.n_train) for c in result.checks] == [
        (fit.train_end, fit.n_train) for fit in scheduled.splits
    ]
    pd.testing.assert_series_equal(result.scores, scheduled.scores)


def test_features_shifted_after_a_date_fire_a_feature_drift_refit(data: Data) -> None:
    # Arrange: every feature moved by +10 from the sixth session of split 6's test block on;
    # the check of split 7 looks at the 20 feature dates before it, 16 of them shifted
    start = data.splits[6][1][5]
    shifted = Data(shifted_from(data.x, start), data.y, data.realised, data.sessions, data.splits)
    trigger = RetrainTrigger(max_age_sessions=NEVER)

    # Act
    before = walk(data, trigger)
    after = walk(shifted, trigger)

    # Assert: checks up to split 6 saw no shift; split 7's check refits for feature drift
    for check in after.checks[1:7]:
        assert "feature_drift" not in check.reasons
        assert check.drifted_share < trigger.max_drifted_share
    fired = after.checks[7]
    assert fired.refit is True
    assert "feature_drift" in fired.reasons
    assert fired.drifted_share == 1.0
    # the window: the 20 feature dates before the check; the reference: the first model's
    # training dates (fewer than 252), as no check refitted before
    window = data.sessions[data.sessions < fired.date][-WINDOW:]
    first_train = data.splits[0][0]
    assert (
        f"3 of 3 features drifted (100%) over {window[0].date()}..{window[-1].date()} "
        f"against {first_train[0].date()}..{first_train[-1].date()}"
    ) in fired.detail
    assert fired.train_end == data.splits[7][0][-1]
    assert before.checks[7].drifted_share < trigger.max_drifted_share
    assert "feature_drift" not in before.checks[7].reasons


def test_a_level_shift_is_no_drift_in_the_z_scores_a_model_reads(data: Data) -> None:
    # Arrange: the same +10 shift of every ticker; the monitor watches per-date z-scores
    start = data.splits[6][1][5]
    shifted = shifted_from(data.x, start)
    watch = FeatureFrame(cross_sectional_zscore(shifted.frame), shifted.spec)
    trigger = RetrainTrigger(max_age_sessions=NEVER)
    # Act
    raw = walk(Data(shifted, data.y, data.realised, data.sessions, data.splits), trigger)
    seen = walk_forward_triggered(
        MomentumBaseline(),
        shifted,
        data.y,
        data.realised,
        data.splits,
        data.sessions,
        HORIZON,
        trigger,
        error_window=WINDOW,
        watch=watch,
    )
    # Assert: raw features drift at split 7; their z-scores, unchanged by the shift, do not
    assert "feature_drift" in raw.checks[7].reasons
    assert "feature_drift" not in seen.checks[7].reasons
    assert seen.checks[7].drifted_share < trigger.max_drifted_share


def test_watched_features_must_have_the_rows_of_x(data: Data) -> None:
    short = FeatureFrame(data.x.frame.iloc[:-12], data.x.spec)
    with pytest.raises(DataFormatError, match="watch must have the rows of X"):
        walk_forward_triggered(
            MomentumBaseline(),
            data.x,
            data.y,
            data.realised,
            data.splits,
            data.sessions,
            HORIZON,
            RetrainTrigger(),
            watch=short,
        )


def test_the_feature_reference_is_the_last_training_dates_of_the_model_in_use(
    data: Data,
) -> None:
    # Arrange: refits at checks 0, 3, 6, ...; a reference of 50 training dates

    # Act
    result = walk(data, RetrainTrigger(max_age_sessions=60), reference_dates=50)

    # Assert: checks 1 and 2 read the first model's last 50 training dates, check 4 the
    # last 50 of the model fitted at check 3
    for k, fitted in ((1, 0), (2, 0), (4, 3)):
        train = data.splits[fitted][0]
        assert result.checks[k].train_end == train[-1]
        assert f"against {train[-50].date()}..{train[-1].date()};" in result.checks[k].detail


def test_nothing_unknown_at_a_check_changes_its_decision(data: Data) -> None:
    # Arrange: models refit when older than 60 sessions (checks 0, 3, 6, ...): check 5 reads
    # both drifts (its model, fitted at check 3, has 38 IC dates with known labels). Then
    # features from t_5 on are shifted, and labels and realised returns not known at t_5
    # (session position + horizon > that of t_5) replaced by noise.
    trigger = RetrainTrigger(max_age_sessions=60)
    k = 5
    t_k = data.splits[k][1][0]
    position = data.sessions.get_indexer(data.y.index.get_level_values(INDEX_NAMES[0]))
    unknown = position + HORIZON > int(data.sessions.searchsorted(t_k))
    noise = np.random.default_rng(11).standard_normal(int(unknown.sum()))
    y, realised = data.y.copy(), data.realised.copy()
    y[unknown] = noise
    realised[unknown] = -realised[unknown] + noise
    perturbed = Data(shifted_from(data.x, t_k), y, realised, data.sessions, data.splits)

    # Act
    original = walk(data, trigger)
    moved = walk(perturbed, trigger)

    # Assert: check k read both drifts, and every check up to k decided the same
    assert math.isfinite(original.checks[k].error_p_value)
    assert math.isfinite(original.checks[k].drifted_share)
    assert [comparable(c) for c in moved.checks[: k + 1]] == [
        comparable(c) for c in original.checks[: k + 1]
    ]
    dates = original.scores.index.get_level_values(INDEX_NAMES[0])
    pd.testing.assert_series_equal(moved.scores[dates < t_k], original.scores[dates < t_k])
    # the perturbation is not idle: the next check sees it
    assert moved.checks[k + 1].drifted_share == 1.0
    assert original.checks[k + 1].drifted_share < trigger.max_drifted_share


def test_error_drift_compares_the_model_in_use_with_its_predecessors_on_known_labels(
    data: Data,
) -> None:
    # Arrange: refits at checks 0, 3, 6, ... (older than 60 sessions); at check 5 the model
    # in use was fitted at t_3
    result = walk(data, RetrainTrigger(max_age_sessions=60))
    t_3, t_5 = data.splits[3][1][0], data.splits[5][1][0]
    ic = rank_ic(result.scores, data.realised)
    dates = pd.DatetimeIndex(ic.index)
    position = data.sessions.get_indexer(dates)

    def known_at(t: pd.Timestamp) -> npt.NDArray[np.bool_]:
        known: npt.NDArray[np.bool_] = position + HORIZON <= int(data.sessions.searchsorted(t))
        return known

    # Act: the reference, IC of earlier models' scores known at t_3; the recent IC, of the
    # model in use's scores known at t_5
    reference = ic[(dates < t_3) & known_at(t_3)]
    recent = ic[(dates >= t_3) & known_at(t_5)]
    monitor = ErrorDriftMonitor(higher_is_better=True, window=WINDOW, min_reference=WINDOW)
    expected = monitor.fit(reference).check(recent)

    # Assert
    assert [c.refit for c in result.checks[:7]] == [True, False, False, True, False, False, True]
    assert (len(reference), len(recent)) == (59, 38)
    assert result.checks[5].error_p_value == pytest.approx(expected.p_value, abs=1e-12)
    assert expected.describe() in result.checks[5].detail
    assert "error drift not checked (59 IC dates of earlier models known at the fit, 17" in (
        result.checks[4].detail
    )


def test_scores_of_a_model_without_a_ranking_leave_error_drift_unchecked(data: Data) -> None:
    # Arrange: the zero forecaster scores every ticker alike, so no date has a rank IC

    # Act
    result = walk(data, RetrainTrigger(max_age_sessions=NEVER), ZeroForecaster())

    # Assert
    assert all(math.isnan(check.error_p_value) for check in result.checks)
    assert all("error drift not checked (0 IC dates" in c.detail for c in result.checks[1:])
    assert len(result.fits) == 1


def test_walk_forward_triggered_refuses_splits_out_of_order(data: Data) -> None:
    # Arrange
    backwards = [data.splits[1], data.splits[0]]

    # Act / Assert
    with pytest.raises(InvariantError, match="not after the previous split"):
        walk(Data(data.x, data.y, data.realised, data.sessions, backwards), RetrainTrigger())


def test_run_model_in_trigger_mode_reports_checks_and_fits_alike(data: Data) -> None:
    # Arrange: models older than 30 sessions are refitted (every second check of 21 sessions)
    trigger_config = ResearchConfig.for_universe(
        "etfs", horizon=HORIZON, tune=False, retrain="trigger", max_model_age=30
    )
    schedule_config = ResearchConfig.for_universe("etfs", horizon=HORIZON, tune=False)
    args = ("elastic_net", data.x.frame, data.x.spec, data.y, data.splits)

    # Act
    triggered = run_model(
        args[0], trigger_config, *args[1:], realised=data.realised, sessions=data.sessions
    )
    scheduled = run_model(args[0], schedule_config, *args[1:])

    # Assert: one check per split; fits and splits count the refits the checks made
    assert len(triggered.checks) == len(data.splits)
    refits = [check for check in triggered.checks if check.refit]
    assert triggered.splits == len(triggered.fits) == len(refits) < len(data.splits)
    assert triggered.fits == tuple(
        (c.train_end.date().isoformat(), c.date.date().isoformat(), c.n_train) for c in refits
    )
    assert all("age" in check.reasons for check in refits[1:])
    expected = walk(
        data,
        RetrainTrigger(max_age_sessions=30),
        ElasticNetForecaster(zscore_by_date=True, horizon=HORIZON),
    )
    pd.testing.assert_series_equal(triggered.scores, expected.scores)
    # the scheduled run: a refit per split, reported in the same shape
    assert scheduled.splits == len(scheduled.fits) == len(scheduled.checks) == len(data.splits)
    assert all(c.refit and c.reasons == ("schedule",) for c in scheduled.checks)
    assert scheduled.fits[0] == triggered.fits[0]
    # it crosses process boundaries
    copy = pickle.loads(pickle.dumps(triggered))
    assert [c.detail for c in copy.checks] == [c.detail for c in triggered.checks]


def test_run_model_in_trigger_mode_needs_the_realised_returns_and_sessions(data: Data) -> None:
    # Arrange
    config = ResearchConfig.for_universe("etfs", horizon=HORIZON, tune=False, retrain="trigger")

    # Act / Assert
    with pytest.raises(InvariantError, match="needs realised and sessions passed to run_model"):
        run_model("momentum", config, data.x.frame, data.x.spec, data.y, data.splits)
    with pytest.raises(InvariantError, match="needs sessions passed to run_model"):
        run_model(
            "momentum",
            config,
            data.x.frame,
            data.x.spec,
            data.y,
            data.splits,
            realised=data.realised,
        )


def test_the_default_configuration_refits_on_schedule() -> None:
    # Arrange / Act
    config = ResearchConfig.for_universe("etfs")

    # Assert
    assert (config.retrain, config.max_model_age) == ("schedule", 252)
    with pytest.raises(ValueError, match="retrain"):
        ResearchConfig.for_universe("etfs", retrain="sometimes")
    with pytest.raises(ValueError, match="max_model_age"):
        ResearchConfig.for_universe("etfs", max_model_age=0)
