"""Bad inputs and parameters are refused with one clear line; importing does not load torch."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError
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
    "gjr": GjrGarchVol,
    "har": HarVol,
    "lstm": lambda: LstmVol(epochs=1),
    "historical": HistoricalVol,
}


@pytest.mark.parametrize("name", FACTORIES)
def test_too_few_returns_are_refused(name: str, vti: pd.Series) -> None:
    model = FACTORIES[name]()
    needed = model.min_observations()

    with pytest.raises(DataFormatError, match=f"returns need at least {needed} observations, got"):
        model.fit(vti.iloc[: needed - 1])
    model.fit(vti.iloc[: max(needed, 2)])  # exactly enough is accepted


@pytest.mark.parametrize("name", FACTORIES)
def test_missing_returns_are_refused(name: str, vti: pd.Series) -> None:
    gappy = vti.loc[:"2008"].copy()
    gappy.iloc[[10, 20]] = np.nan

    with pytest.raises(DataFormatError, match=r"2 missing or infinite values \(first at 2005"):
        FACTORIES[name]().fit(gappy)


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True, "5"])
@pytest.mark.parametrize("name", FACTORIES)
def test_a_horizon_below_one_is_refused(name: str, horizon: object, vti: pd.Series) -> None:
    model = FACTORIES[name]().fit(vti.loc[:"2008"])

    with pytest.raises(InvariantError, match=f"horizon must be an integer >= 1, got {horizon!r}"):
        model.predict(horizon)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("returns", "message"),
    [
        (np.zeros(300) + 0.01, "must be a pandas Series"),
        (pd.Series(np.zeros(300)), "all zero"),
        (pd.Series(["a"] * 300), "must be numeric"),
        (pd.Series(np.full(300, 0.01), index=np.arange(300)[::-1]), "strictly increasing"),
    ],
)
def test_returns_that_are_not_a_return_series_are_refused(returns: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        EWMAVol().fit(returns)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (EWMAVol(decay=1.0), "decay must be a number strictly between 0 and 1, got 1.0"),
        (EWMAVol(seed_window=0), "seed_window must be an integer >= 1, got 0"),
        (GarchVol(dist="cauchy"), "dist must be one of normal, t; got 'cauchy'"),  # type: ignore[arg-type]
        (GjrGarchVol(mean="ar"), "mean must be one of zero, constant; got 'ar'"),  # type: ignore[arg-type]
        (HarVol(lags=(22, 5)), r"lags must be distinct and increasing, got \(22, 5\)"),
        (HarVol(lags=()), "lags must be a non-empty sequence"),
        (HarVol(positive="yes"), "positive must be True or False, got 'yes'"),  # type: ignore[arg-type]
        (LstmVol(epochs=0), "epochs must be an integer >= 1, got 0"),
        (LstmVol(learning_rate=-1.0), "learning_rate must be positive and finite, got -1.0"),
        (LstmVol(random_state=-2), "random_state must be an integer >= 0, got -2"),
    ],
)
def test_bad_parameters_are_refused_at_fit(
    model: VolatilityForecaster, message: str, vti: pd.Series
) -> None:
    with pytest.raises(InvariantError, match=message):
        model.fit(vti.loc[:"2008"])


def test_a_proxy_given_to_a_returns_only_model_is_refused(vti: pd.Series) -> None:
    returns = vti.loc[:"2008"]

    with pytest.raises(InvariantError, match="variance_proxy: GarchVol models returns only"):
        GarchVol().fit(returns, returns**2)


def test_a_misaligned_or_negative_proxy_is_refused(vti: pd.Series) -> None:
    returns = vti.loc[:"2008"]

    with pytest.raises(DataFormatError, match="variance_proxy index must equal the returns index"):
        HarVol().fit(returns, (returns**2).iloc[1:])
    with pytest.raises(DataFormatError, match="variance_proxy has negative values"):
        HarVol().fit(returns, -(returns**2))


def test_range_variance_refuses_inconsistent_bars() -> None:
    index = pd.RangeIndex(3)
    price = pd.Series([10.0, 10.0, 10.0], index=index)
    high = pd.Series([10.5, 9.0, 10.5], index=index)  # the second high is below the open
    low = pd.Series([9.5, 9.5, 9.5], index=index)

    with pytest.raises(DataFormatError, match="bar at 1 has high below low, open or close"):
        range_variance(price, high, low, price)
    with pytest.raises(InvariantError, match="method must be one of parkinson, garman_klass"):
        range_variance(price, high, low, price, method="yang_zhang")  # type: ignore[arg-type]


def test_range_variance_formulas() -> None:
    one = pd.Series([1.0])
    o, h, lo, c = 100.0 * one, 110.0 * one, 95.0 * one, 105.0 * one
    u, k = np.log(110.0 / 95.0), np.log(105.0 / 100.0)

    parkinson = range_variance(o, h, lo, c, method="parkinson").iloc[0]
    garman_klass = range_variance(o, h, lo, c, method="garman_klass").iloc[0]

    assert parkinson == pytest.approx(u**2 / (4 * np.log(2)))
    assert garman_klass == pytest.approx(0.5 * u**2 - (2 * np.log(2) - 1) * k**2)


def test_importing_the_package_does_not_import_torch() -> None:
    code = "import sys, microfolio.signals.volatility; print('torch' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "False"
