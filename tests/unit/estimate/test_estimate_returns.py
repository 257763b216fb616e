import math

import numpy as np
import pandas as pd
import pytest
from estimate_helpers import make_returns

from microfolio.estimate import (
    TRADING_DAYS,
    HistoricalMean,
    annualise_covariance,
    annualise_mean,
    annualise_volatility,
    returns_from_prices,
)


def test_annualisation_scales_mean_and_covariance_by_periods_and_volatility_by_root() -> None:
    assert annualise_mean(0.001) == pytest.approx(0.252)
    assert annualise_covariance(0.0001) == pytest.approx(0.0252)
    assert annualise_volatility(0.01) == pytest.approx(0.01 * math.sqrt(252))
    assert annualise_mean(0.01, periods_per_year=12) == pytest.approx(0.12)
    assert annualise_volatility(0.02, periods_per_year=52) == pytest.approx(0.02 * math.sqrt(52))


def test_annualisation_keeps_the_type_and_labels_of_what_it_scales() -> None:
    daily = pd.Series([0.001, 0.002], index=["A", "B"])

    yearly = annualise_mean(daily)

    pd.testing.assert_series_equal(yearly, daily * TRADING_DAYS)
    assert isinstance(annualise_covariance(np.eye(2)), np.ndarray)


def test_simple_and_log_returns_from_prices() -> None:
    prices = pd.DataFrame({"A": [100.0, 110.0, 99.0], "B": [50.0, np.nan, 55.0]})

    simple = returns_from_prices(prices)
    log = returns_from_prices(prices, kind="log")

    assert simple["A"].tolist() == pytest.approx([0.10, -0.10])
    assert log["A"].tolist() == pytest.approx([math.log(1.1), math.log(0.9)])
    assert simple["B"].isna().all()  # a missing price gives missing returns, never zero
    assert list(simple.index) == [1, 2]


def test_historical_mean_is_the_annualised_average_skipping_missing_returns() -> None:
    returns = make_returns()
    returns.iloc[:100, 0] = np.nan

    mu = HistoricalMean().fit(returns).mu_

    expected = returns.mean() * TRADING_DAYS  # pandas skips NaN too
    pd.testing.assert_series_equal(mu, expected)
