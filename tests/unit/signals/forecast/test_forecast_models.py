"""Every forecaster on real data: fits, scores the test year, repeats exactly, and its own
definitions (confidence, baselines, the LSTM's windows and torch hygiene)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from forecast_testdata import synthetic

from microfolio.errors import MicrofolioError
from microfolio.features import FeatureFrame
from microfolio.signals.forecast import (
    BaseForecaster,
    ElasticNetForecaster,
    Forecaster,
    ForecastScores,
    GradientBoostingForecaster,
    HistoricalMeanBaseline,
    LstmForecaster,
    MomentumBaseline,
    RandomForestForecaster,
    ZeroForecaster,
    sequence_windows,
)

#: the first test date of the fixtures (see conftest)
TEST_START = "2013-01-02"
XY = tuple[FeatureFrame, pd.Series]

FACTORIES: dict[str, Callable[[], BaseForecaster]] = {
    "elastic_net": ElasticNetForecaster,
    "elastic_net_zscore": lambda: ElasticNetForecaster(zscore_by_date=True),
    "random_forest": lambda: RandomForestForecaster(n_estimators=10),
    "gradient_boosting": lambda: GradientBoostingForecaster(n_estimators=30),
    "lstm": lambda: LstmForecaster(epochs=2, hidden_size=8, mc_samples=5),
    "zero": ZeroForecaster,
    "momentum": MomentumBaseline,
    "historical_mean": HistoricalMeanBaseline,
}


@pytest.fixture(scope="module")
def fitted(fc_train: XY) -> dict[str, BaseForecaster]:
    return {name: make().fit(*fc_train) for name, make in FACTORIES.items()}


@pytest.mark.parametrize("name", FACTORIES)
def test_every_model_fits_and_scores_the_test_year(
    name: str, fitted: dict[str, BaseForecaster], fc_train: XY, fc_test: XY
) -> None:
    model = fitted[name]
    x_test = fc_test[0]

    forecast = model.predict(x_test)

    assert isinstance(model, Forecaster)
    assert isinstance(forecast, ForecastScores)
    assert forecast.model_id == model.model_id
    assert dict(forecast.params) == model.get_params(deep=False)
    assert 0 < model.n_train_ <= len(fc_train[0])
    assert model.n_train_ + model.n_dropped_ == len(fc_train[0])
    scores = forecast.scores
    assert scores.index.isin(x_test.frame.index).all()
    assert np.isfinite(scores.to_numpy()).all()
    assert forecast.dates[0] >= pd.Timestamp(TEST_START)
    confidence = forecast.row_confidence().to_numpy()
    assert ((confidence >= 0.0) & (confidence <= 1.0)).all()
    # every complete row is scored (the LSTM needs lookback dates of context before)
    complete = x_test.dropna().frame.index
    expected = complete if model.context_sessions == 0 else complete[complete.isin(scores.index)]
    assert scores.index.isin(complete).all() or name in {"zero", "historical_mean"}
    assert len(expected) > 0.5 * len(complete)


@pytest.mark.parametrize("name", FACTORIES)
def test_two_fits_give_identical_predictions(name: str, fc_train: XY, fc_test: XY) -> None:
    first = FACTORIES[name]().fit(*fc_train).predict(fc_test[0])
    second = FACTORIES[name]().fit(*fc_train).predict(fc_test[0])

    assert first == second


@pytest.mark.parametrize(
    ("name", "seeded"),
    [
        ("random_forest", lambda s: RandomForestForecaster(n_estimators=10, random_state=s)),
        (
            "gradient_boosting",
            lambda s: GradientBoostingForecaster(n_estimators=30, random_state=s),
        ),
        ("lstm", lambda s: LstmForecaster(epochs=1, hidden_size=8, mc_samples=5, random_state=s)),
    ],
)
def test_another_seed_gives_other_predictions(
    name: str, seeded: Callable[[int], BaseForecaster], fc_train: XY, fc_test: XY
) -> None:
    first = seeded(1).fit(*fc_train).predict(fc_test[0]).scores
    other = seeded(2).fit(*fc_train).predict(fc_test[0]).scores

    assert not first.equals(other), name


def test_confidence_is_per_row_for_trees_lstm_and_means_and_per_date_otherwise(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    levels = {name: model.predict(fc_test[0]).level for name, model in fitted.items()}

    assert levels == {
        "elastic_net": "date",
        "elastic_net_zscore": "date",
        "random_forest": "row",
        "gradient_boosting": "date",
        "lstm": "row",
        "zero": "date",
        "momentum": "date",
        "historical_mean": "row",
    }


def test_validation_rmse_sets_the_confidence_of_the_linear_model(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    model = fitted["elastic_net"]
    assert isinstance(model, ElasticNetForecaster)

    confidence = model.predict(fc_test[0]).confidence

    s, u = model.label_scale_, model.validation_rmse_
    assert np.isfinite(u)
    assert u > 0.0
    np.testing.assert_allclose(confidence.to_numpy(), s / (s + u))


def test_random_forest_confidence_falls_as_the_trees_disagree(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    model = fitted["random_forest"]
    assert isinstance(model, RandomForestForecaster)
    x_test = fc_test[0].dropna()

    confidence = model.predict(x_test).confidence.to_numpy()

    per_tree = np.stack([t.predict(x_test.to_numpy()) for t in model.model_.estimators_])
    s = model.label_scale_
    np.testing.assert_allclose(confidence, s / (s + per_tree.std(axis=0)))


# -- baselines ------------------------------------------------------------------------------------


def test_the_zero_forecaster_has_no_view(fitted: dict[str, BaseForecaster], fc_test: XY) -> None:
    forecast = fitted["zero"].predict(fc_test[0])

    assert (forecast.scores == 0.0).all()
    assert (forecast.confidence == 0.0).all()
    assert len(forecast) == len(fc_test[0])


def test_the_momentum_baseline_scores_with_its_feature(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    forecast = fitted["momentum"].predict(fc_test[0])

    feature = fc_test[0].frame["mom_252_21"].dropna()
    pd.testing.assert_series_equal(forecast.scores, feature.rename("score"))
    assert (forecast.confidence == 0.5).all()


def test_the_momentum_baseline_refuses_an_unknown_feature(fc_train: XY) -> None:
    with pytest.raises(MicrofolioError, match="'nope' is not among the features"):
        MomentumBaseline(feature="nope").fit(*fc_train)


def test_the_historical_mean_is_each_tickers_mean_training_label(
    fitted: dict[str, BaseForecaster], fc_train: XY, fc_test: XY
) -> None:
    forecast = fitted["historical_mean"].predict(fc_test[0])

    means = fc_train[1].groupby(level="ticker").mean()
    on_spy = forecast.at("2013-06-03")["SPY"]
    assert on_spy == pytest.approx(means["SPY"])


# -- the LSTM -------------------------------------------------------------------------------------


def test_sequence_windows_need_consecutive_complete_dates() -> None:
    dates = pd.bdate_range("2021-01-04", periods=6)
    index = pd.MultiIndex.from_product([dates, ["A", "B"]], names=["date", "ticker"])
    values = np.arange(24, dtype=float).reshape(12, 2)
    values[6, 0] = np.nan  # A is incomplete on the fourth date
    frame = pd.DataFrame(values, index=index, columns=["f", "g"])

    windows, valid = sequence_windows(frame, 3)

    valid_rows = [index[i] for i in np.flatnonzero(valid)]
    a_rows = [d.day for d, t in valid_rows if t == "A"]
    b_rows = [d.day for d, t in valid_rows if t == "B"]
    assert a_rows == [6]  # 4..6 Jan are complete; the gap on 7 Jan breaks 7, 8 and 11
    assert [d.day for d in dates] == [4, 5, 6, 7, 8, 11]
    assert b_rows == [6, 7, 8, 11]
    last_b = int(np.flatnonzero(valid)[-1])
    assert [index[i] for i in windows[last_b]] == [(d, "B") for d in dates[3:]]


def test_lstm_leaves_the_callers_torch_state_alone(fc_train: XY) -> None:
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    strict = torch.are_deterministic_algorithms_enabled()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)

    LstmForecaster(epochs=1, hidden_size=4, mc_samples=2).fit(*fc_train)

    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == strict


def test_lstm_scores_only_rows_with_a_full_window(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    model = fitted["lstm"]

    forecast = model.predict(fc_test[0])

    # without the 20 sessions before the test year, its first 20 dates cannot be scored
    assert forecast.dates[0] == fc_test[0].dates[model.context_sessions]


def test_importing_the_package_imports_neither_torch_nor_lightgbm() -> None:
    code = (
        "import sys, microfolio.signals.forecast, microfolio.signals.validation;"
        "print('torch' in sys.modules, 'lightgbm' in sys.modules)"
    )

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.split() == ["False", "False"]


def test_lstm_without_torch_raises_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "torch" else real_find_spec(name, *args),
    )

    with pytest.raises(MicrofolioError, match="LstmForecaster needs PyTorch"):
        LstmForecaster().fit(*synthetic())


# -- the linear model -----------------------------------------------------------------------------


def test_elastic_net_contributions_sum_to_the_score_minus_the_intercept(
    fitted: dict[str, BaseForecaster], fc_test: XY
) -> None:
    for name in ("elastic_net", "elastic_net_zscore"):
        model = fitted[name]
        assert isinstance(model, ElasticNetForecaster)

        parts, intercept = model.linear_contributions(fc_test[0])

        scores = model.predict(fc_test[0]).scores
        np.testing.assert_allclose(parts.sum(axis=1).to_numpy() + intercept, scores.to_numpy())
        assert intercept == model.intercept_


def test_elastic_net_finds_the_informative_feature_of_a_synthetic_panel() -> None:
    x, y = synthetic()

    model = ElasticNetForecaster(alpha=1e-4).fit(x, y)

    assert model.coef_.abs().idxmax() == "signal"
    assert model.coef_["signal"] == pytest.approx(0.02, rel=0.05)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ElasticNetForecaster(zscore_by_date=True),
        lambda: RandomForestForecaster(n_estimators=5, min_samples_leaf=20, zscore_by_date=True),
        lambda: GradientBoostingForecaster(
            n_estimators=10, min_child_samples=20, zscore_by_date=True
        ),
        lambda: LstmForecaster(
            lookback=3, epochs=1, hidden_size=4, mc_samples=2, zscore_by_date=True
        ),
    ],
    ids=["elastic_net", "random_forest", "gradient_boosting", "lstm"],
)
def test_zscored_models_ignore_what_every_ticker_shares_on_a_date(
    make: Callable[[], BaseForecaster],
) -> None:
    x, y = synthetic(n_dates=40)
    frame = x.frame
    level = np.repeat(np.arange(40, dtype=float), 25)[:, None]  # one shift per date
    shifted = FeatureFrame(frame * 2.0 + level)

    plain = make().fit(x, y).predict(x).scores
    moved = make().fit(shifted, y).predict(shifted).scores

    np.testing.assert_allclose(moved.to_numpy(), plain.to_numpy(), rtol=1e-6, atol=1e-9)
