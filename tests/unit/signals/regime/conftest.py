"""Fixtures for the regime tests: the bundled real market, loaded once per test session, VTI
and equal-weight daily returns from its view at the end of 2014, and the walk-forward labels of
both detectors on VTI."""

from __future__ import annotations

import pandas as pd
import pytest

from microfolio.data import GatePolicy, MarketData, MarketView, load_bundled_bars
from microfolio.signals.regime import HmmRegime, RuleRegime, market_returns

#: the last session the tests may see: every series below comes from this view
AS_OF = "2014-12-31"


@pytest.fixture(scope="session")
def regime_market() -> MarketData:
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@pytest.fixture(scope="session")
def regime_view(regime_market: MarketData) -> MarketView:
    return regime_market.view(AS_OF)


@pytest.fixture(scope="session")
def vti(regime_view: MarketView) -> pd.Series:
    """VTI daily returns, 2005-02-28..2014-12-31."""
    return market_returns(regime_view.close, "VTI")


@pytest.fixture(scope="session")
def short_vti(vti: pd.Series) -> pd.Series:
    """VTI through mid-2010: enough for a few HMM refits, cheap to run more than once."""
    return vti.loc[:"2010-06-30"]


@pytest.fixture(scope="session")
def rule_labels(vti: pd.Series) -> pd.Series:
    return RuleRegime().regimes(vti)


@pytest.fixture(scope="session")
def hmm_labels(vti: pd.Series) -> pd.Series:
    return HmmRegime().regimes(vti, refit_every=63)
