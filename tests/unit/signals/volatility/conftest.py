"""Fixtures for the volatility tests: the bundled real market, loaded once per test session,
and point-in-time daily log returns of VTI and AGG taken from its views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import GatePolicy, MarketData, MarketView, load_bundled_bars

#: the last session the tests may see: every series below comes from this view
AS_OF = "2012-12-31"


@pytest.fixture(scope="session")
def vol_market() -> MarketData:
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@pytest.fixture(scope="session")
def vol_view(vol_market: MarketData) -> MarketView:
    return vol_market.view(AS_OF)


def log_returns(view: MarketView, ticker: str) -> pd.Series:
    """Daily log returns of one ticker, from its first price to the view's ``as_of``."""
    close = view.close[ticker].dropna()
    returns = np.log(close).diff().iloc[1:]
    returns.name = ticker
    return returns


@pytest.fixture(scope="session")
def vti(vol_view: MarketView) -> pd.Series:
    return log_returns(vol_view, "VTI")


@pytest.fixture(scope="session")
def agg(vol_view: MarketView) -> pd.Series:
    return log_returns(vol_view, "AGG")
