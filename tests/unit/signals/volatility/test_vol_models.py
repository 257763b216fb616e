"""Each volatility model on real data: fits, forecasts a sane vol, and its own properties."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from microfolio.errors import MicrofolioError
from microfolio.estimate import TRADING_DAYS
from microfolio.signals.volatility import (
    EWMAVol,
    GarchVol,
    GjrGarchVol,
    HarVol,
    HistoricalVol,
    LstmVol,
    VolatilityForecaster,
    range_variance,
)

FACTORIES: dict[str, Callable[[], VolatilityForecaster]] = {
    "ewma": EWMAVol,
    "garch": GarchVol,
    "garch_t": lambda: GarchVol(dist="t"),
    "gjr": GjrGarchVol,
    "har": HarVol,
    "lstm": lambda: LstmVol(epochs=2),
    "historical": HistoricalVol,
}

#: where the models are fitted: a calm spell and the crisis
ORIGINS = ("2007-06-29", "2008-12-31")


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("ticker", ["vti", "agg"])
@pytest.mark.parametrize("origin", ORIGINS)
def test_every_model_forecasts_a_positive_finite_annual_vol(
    name: str, ticker: str, origin: str, request: pytest.FixtureRequest
) -> None:
    returns: pd.Series = request.getfixturevalue(ticker).loc[:origin]

    model = FACTORIES[name]().fit(returns)

    for horizon in (1, 5, 21):
        vol = model.predict(horizon)
        assert isinstance(vol, float)
        assert math.isfinite(vol)
        assert 0.005 < vol < 2.0  # annualised: between 0.5 % and 200 %
    assert model.n_observations_ == len(returns)
    assert model.origin_ == returns.index[-1]


# -- EWMA -----------------------------------------------------------------------------------------


def test_ewma_matches_a_hand_recursion() -> None:
    returns = pd.Series([0.01, -0.02, 0.005, 0.0, 0.03, -0.01])
    decay = 0.9

    model = EWMAVol(decay=decay, seed_window=3).fit(returns)

    variance = (0.01**2 + 0.02**2 + 0.005**2) / 3  # seed: mean square of the first three
    for r in returns:
        variance = decay * variance + (1 - decay) * r * r
    assert model.variance_ == pytest.approx(variance, rel=1e-12)
    assert model.predict() == pytest.approx(math.sqrt(TRADING_DAYS * variance), rel=1e-12)


def test_ewma_forecast_is_flat_over_the_horizon(vti: pd.Series) -> None:
    model = EWMAVol().fit(vti.loc[:"2010"])

    assert model.predict(1) == pytest.approx(model.predict(63), rel=1e-12)


def test_ewma_update_equals_a_fresh_fit(vti: pd.Series) -> None:
    model = EWMAVol().fit(vti.loc[:"2009"])

    model.update(vti.loc[:"2010"])

    assert model.predict() == EWMAVol().fit(vti.loc[:"2010"]).predict()


# -- GARCH ----------------------------------------------------------------------------------------


def test_garch_on_vti_is_stationary_and_mean_reverting(vti: pd.Series) -> None:
    model = GarchVol().fit(vti)

    assert model.converged_
    assert 0.0 <= model.alpha_ < 1.0
    assert 0.0 <= model.beta_ < 1.0
    assert model.persistence_ < 1.0
    assert model.unconditional_variance_ == pytest.approx(model.omega_ / (1.0 - model.persistence_))
    long_run = math.sqrt(TRADING_DAYS * model.unconditional_variance_)
    # multi-step forecasts revert towards the long-run vol
    assert abs(model.predict(2000) - long_run) < abs(model.predict(1) - long_run)


def test_gjr_garch_finds_the_leverage_effect_on_vti(vti: pd.Series) -> None:
    model = GjrGarchVol().fit(vti)

    assert model.gamma_ > 0.0  # falls raise volatility more than rises
    assert model.persistence_ == pytest.approx(model.alpha_ + model.beta_ + model.gamma_ / 2)
    assert model.persistence_ < 1.0


def test_garch_student_t_estimates_fat_tails(vti: pd.Series) -> None:
    model = GarchVol(dist="t").fit(vti)

    assert 2.0 < model.params_["nu"] < 30.0


def test_garch_update_keeps_the_parameters_and_moves_the_forecast(vti: pd.Series) -> None:
    model = GarchVol().fit(vti.loc[:"2008-06-30"])
    params = model.params_.copy()
    before = model.predict()

    model.update(vti.loc[:"2008-12-31"])

    pd.testing.assert_series_equal(model.params_, params)
    assert model.predict() > 1.5 * before  # the filter saw the autumn 2008 crash


# -- HAR ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("positive", [True, False])
def test_har_coefficients_are_finite(vti: pd.Series, positive: bool) -> None:
    model = HarVol(positive=positive).fit(vti)

    assert list(model.coef_.index) == [1, 5, 22]
    assert np.isfinite(model.coef_.to_numpy()).all()
    assert math.isfinite(model.intercept_)
    assert 0.0 < model.r_squared_ < 1.0
    assert model.scale_ == pytest.approx(1.0)  # squared returns need no rescaling
    if positive:
        assert (model.coef_ >= 0.0).all()
        assert model.intercept_ >= 0.0


def test_har_iterates_its_regression_over_the_horizon(vti: pd.Series) -> None:
    model = HarVol().fit(vti.loc[:"2010"])
    history = list(vti.loc[:"2010"].to_numpy() ** 2)

    path = []
    for _ in range(3):
        nxt = model.intercept_ + sum(
            model.coef_[lag] * np.mean(history[-lag:]) for lag in (1, 5, 22)
        )
        path.append(nxt)
        history.append(nxt)

    assert model.predict(3) == pytest.approx(math.sqrt(TRADING_DAYS * np.mean(path)), rel=1e-10)


def test_har_on_a_range_proxy_rescales_to_close_to_close(vti: pd.Series, vol_view: object) -> None:
    bars = {
        field: getattr(vol_view, field)["VTI"].loc[vti.index]
        for field in ("open", "high", "low", "close")
    }
    proxy = range_variance(bars["open"], bars["high"], bars["low"], bars["close"])
    returns = vti.loc[:"2009"]  # before the 2010 flash crash, whose VTI low of $26 dwarfs any gap

    model = HarVol().fit(returns, proxy.loc[returns.index])

    # the range misses the overnight gap: close-to-close variance is larger
    assert model.scale_ == pytest.approx(float((returns**2).sum() / proxy.loc[returns.index].sum()))
    assert model.scale_ > 1.0
    assert 0.05 < model.predict() < 1.0


def test_har_update_keeps_the_coefficients(vti: pd.Series) -> None:
    model = HarVol().fit(vti.loc[:"2009"])
    coef = model.coef_.copy()

    model.update(vti.loc[:"2010"])

    pd.testing.assert_series_equal(model.coef_, coef)
    np.testing.assert_array_equal(model.recent_, vti.loc[:"2010"].to_numpy()[-22:] ** 2)


# -- LSTM -----------------------------------------------------------------------------------------


def test_lstm_is_deterministic_for_a_seed(vti: pd.Series) -> None:
    returns = vti.loc[:"2009"]

    first = LstmVol(epochs=2, random_state=3).fit(returns).predict()
    second = LstmVol(epochs=2, random_state=3).fit(returns).predict()
    other = LstmVol(epochs=2, random_state=4).fit(returns).predict()

    assert first == second
    assert first != other


def test_lstm_leaves_the_callers_torch_state_alone(vti: pd.Series) -> None:
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)

    LstmVol(epochs=1).fit(vti.loc[:"2008"])

    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_lstm_without_torch_raises_a_clear_error(
    vti: pd.Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "torch" else real_find_spec(name, *args),
    )

    with pytest.raises(MicrofolioError, match="LstmVol needs PyTorch"):
        LstmVol().fit(vti)


# -- the contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FACTORIES)
def test_predict_before_fit_is_refused(name: str) -> None:
    with pytest.raises(MicrofolioError, match="not fitted"):
        FACTORIES[name]().predict()


@pytest.mark.parametrize("name", FACTORIES)
def test_models_clone_with_their_parameters(name: str) -> None:
    model = FACTORIES[name]()

    copy = clone(model)

    assert copy.get_params() == model.get_params()
    assert copy is not model
