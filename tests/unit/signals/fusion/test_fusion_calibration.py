"""Calibration: slope, residual variance and IC of a source's own out-of-sample record."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fusion_testdata import HORIZON, NOISE, SLOPE, panel
from sklearn.base import clone

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError
from microfolio.signals.fusion import Calibration, SignalHistory


def test_informative_source_recovers_its_slope_with_a_small_error() -> None:
    data = panel()
    history = data.history(3.0 * data.z + 1.0, "good")  # any scale: z is per-date standardised

    calibration = data.calibrate(history)

    assert calibration.usable_
    assert calibration.reason_ == ""
    assert calibration.slope_ == pytest.approx(SLOPE, rel=0.05)
    assert calibration.intercept_ == 0.0
    # the label's own noise plus what per-date standardising of 20 names cannot know
    assert NOISE**2 < calibration.residual_variance_ < 3 * NOISE**2
    assert calibration.ic_ > 0.9
    assert calibration.ic_t_stat_ > 10
    assert calibration.step_ == HORIZON
    assert calibration.n_dates_ == len(data.dates) - HORIZON
    assert calibration.n_periods_ == pytest.approx(calibration.n_dates_ / HORIZON)


def test_pure_noise_source_gets_no_views_and_says_why() -> None:
    data = panel()
    calibration = data.calibrate(data.history(data.noise(), "noise"))

    assert not calibration.usable_
    assert abs(calibration.slope_) < 0.1 * SLOPE
    assert calibration.residual_variance_ > 10 * NOISE**2
    assert "IC t-stat" in calibration.reason_ or "slope" in calibration.reason_, calibration.reason_


def test_negative_slope_gives_no_views_even_without_a_significance_test() -> None:
    data = panel()
    calibration = data.calibrate(data.history(-data.z, "backwards"), min_t_stat=None)

    assert not calibration.usable_
    assert calibration.slope_ < 0
    assert calibration.reason_.startswith("out-of-sample slope")


def test_short_record_gives_no_views() -> None:
    data = panel(n_dates=60)
    calibration = data.calibrate(data.history(data.z, "young"))

    assert not calibration.usable_
    assert "non-overlapping label periods" in calibration.reason_
    assert calibration.slope_ == pytest.approx(SLOPE, rel=0.1)  # still reported


def test_nothing_known_yet_gives_no_views() -> None:
    data = panel()
    history = data.history(data.z, "new")

    calibration = Calibration(horizon=HORIZON).fit(history, data.dates[10], data.sessions)

    assert not calibration.usable_
    assert calibration.n_pairs_ == 0
    assert math.isnan(calibration.slope_)
    assert "no score of new has a realised label known at" in calibration.reason_


def test_constant_scores_give_no_cross_sectional_signal() -> None:
    data = panel()
    calibration = data.calibrate(data.history(np.ones(len(data.index)), "flat"))

    assert not calibration.usable_
    assert "never differ across tickers" in calibration.reason_


def test_labels_that_end_after_t_do_not_change_the_calibration() -> None:
    data = panel()
    history = data.history(data.z + data.noise(), "s")
    unknown = ~history.labels.index.isin(
        history.known_at(data.as_of, HORIZON, data.sessions).labels.index
    )
    perturbed = SignalHistory(
        history.scores.where(~unknown, -100.0), history.labels.where(~unknown, 5.0), "s"
    )

    before = data.calibrate(history)
    after = data.calibrate(perturbed)

    assert unknown.sum() == HORIZON * len(data.tickers)
    assert after.summary() == before.summary()
    pd.testing.assert_series_equal(after.ticker_variance_, before.ticker_variance_)


def test_intercept_is_the_mean_label_when_fitted() -> None:
    data = panel()
    shifted = SignalHistory(pd.Series(data.z, index=data.index), data.labels + 0.01, "s")

    with_intercept = data.calibrate(shifted, fit_intercept=True)
    without = data.calibrate(shifted)

    assert with_intercept.intercept_ == pytest.approx(0.01, abs=1e-3)
    assert with_intercept.slope_ == pytest.approx(without.slope_)
    # without the intercept the level is part of the prediction error
    assert without.residual_variance_ == pytest.approx(
        with_intercept.residual_variance_ + 0.01**2, rel=0.05
    )


def test_ticker_variance_shrinks_towards_the_pooled_one() -> None:
    data = panel()
    loud = np.where(data.index.get_level_values("ticker") == "T00", 5.0, 1.0)
    labels = SLOPE * data.z + NOISE * loud * data.noise()
    history = SignalHistory(pd.Series(data.z, index=data.index), pd.Series(labels, data.index), "s")

    own = data.calibrate(history, variance_prior=0.0)
    shrunk = data.calibrate(history, variance_prior=1e6)

    variance = own.variance(["T00", "T01", "NEW"])
    assert variance["T00"] > 5 * variance["T01"]
    assert variance["NEW"] == own.residual_variance_
    pooled = shrunk.residual_variance_
    assert shrunk.variance(["T00"])["T00"] == pytest.approx(pooled, rel=0.05)


def test_predict_is_intercept_plus_slope_times_z() -> None:
    data = panel()
    calibration = data.calibrate(data.history(data.z, "s"))
    z = pd.Series([-1.0, 0.0, 2.0], index=["A", "B", "C"])

    expected = calibration.predict(z)

    assert expected.tolist() == pytest.approx([-calibration.slope_, 0.0, 2 * calibration.slope_])


def test_calibration_follows_the_scikit_learn_contract() -> None:
    data = panel()
    calibration = Calibration(horizon=HORIZON, min_t_stat=3.0)

    fitted = calibration.fit(data.history(data.z, "s"), data.as_of, data.sessions)
    fresh = clone(fitted)

    assert fitted is calibration
    assert fresh.get_params() == calibration.get_params()
    assert not hasattr(fresh, "slope_")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"horizon": 0}, "horizon must be an integer >= 1"),
        ({"min_t_stat": float("nan")}, "min_t_stat must be a number or None"),
        ({"fit_intercept": 1}, "fit_intercept must be True or False"),
        ({"quantile": 0.6}, r"quantile must be a number in \(0, 0.5\]"),
        ({"variance_prior": -1.0}, "variance_prior must be a finite number >= 0"),
        ({"min_periods": 0}, "min_periods must be an integer >= 1"),
    ],
)
def test_bad_parameters_are_refused_in_fit(params: dict[str, object], message: str) -> None:
    data = panel(n_dates=30)
    calibration = Calibration(**params)  # type: ignore[arg-type]

    with pytest.raises(InvariantError, match=message):
        calibration.fit(data.history(data.z, "s"), data.as_of, data.sessions)


def test_bad_inputs_are_refused() -> None:
    data = panel(n_dates=30)

    with pytest.raises(DataFormatError, match="history must be a SignalHistory"):
        Calibration().fit(data.labels, data.as_of, data.sessions)  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match="as_of must be a date"):
        Calibration().fit(data.history(data.z, "s"), None, data.sessions)
    with pytest.raises(InvariantError, match="sessions must be a non-empty DatetimeIndex"):
        Calibration().fit(data.history(data.z, "s"), data.as_of, list(data.sessions))  # type: ignore[arg-type]
    with pytest.raises(MicrofolioError, match="not fitted"):
        Calibration().predict(pd.Series([1.0]))


def test_ic_slope_is_grinolds_rule_and_matches_least_squares_on_gaussian_data() -> None:
    # Arrange: a weak Gaussian signal (correlation about 0.2)
    data = panel(slope=0.002, noise=0.01)
    history = data.history(data.z, "weak")
    # Act
    by_ic = data.calibrate(history, min_t_stat=None)
    by_ols = data.calibrate(history, min_t_stat=None, slope="ols")
    # Assert: b = 2 sin(pi IC / 6) * the pooled cross-sectional dispersion of the known labels
    known = history.known_at(data.as_of, HORIZON, data.sessions)
    dispersion = math.sqrt(known.labels.groupby(level="date").var(ddof=0).mean())
    every_date_ic = by_ic.slope_ / dispersion
    assert 2 * math.sin(math.pi * 0.15 / 6) < every_date_ic < 2 * math.sin(math.pi * 0.3 / 6)
    assert by_ic.slope_ == pytest.approx(by_ols.slope_, rel=0.1)
    assert by_ic.usable_


def test_ic_slope_keeps_the_sign_of_the_ic_when_one_extreme_date_turns_least_squares() -> None:
    # Arrange: a positive signal on every date but one, whose labels are huge and backwards
    data = panel(slope=0.002, noise=0.01)
    labels = data.labels.copy()
    crash = data.dates[5]
    rows = labels.index.get_level_values("date") == crash
    labels[rows] = -50.0 * data.z[rows]
    history = SignalHistory(pd.Series(data.z, index=data.index), labels, "fragile")
    # Act
    by_ic = data.calibrate(history, min_t_stat=None)
    by_ols = data.calibrate(history, min_t_stat=None, slope="ols")
    # Assert
    assert by_ols.slope_ < 0
    assert not by_ols.usable_
    assert by_ic.ic_ > 0
    assert by_ic.slope_ > 0
    assert by_ic.usable_


def test_unknown_slope_method_is_refused() -> None:
    data = panel()
    with pytest.raises(InvariantError, match="slope must be"):
        data.calibrate(data.history(data.z, "s"), slope="median")
