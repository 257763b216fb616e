"""Real data for the fusion smoke tests: the bundled ETFs' 12-1 momentum and 21-session
forward returns, as known at the end of 2013 (computed once per test session)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from microfolio.data import GatePolicy, MarketData, MarketView, load_bundled_bars
from microfolio.features import FeatureSet, forward_returns


@dataclass(frozen=True)
class EtfMomentum:
    market: MarketData
    view: MarketView
    momentum: pd.Series
    labels: pd.Series


@pytest.fixture(scope="session")
def etf_momentum() -> EtfMomentum:
    """``mom_252_21`` of every bundled ETF (NaN rows dropped) and ``fwd_ret_21`` as known at
    2013-12-31: labels ending in 2013 are present, so a calibration at 2013-01-02 must skip
    them itself."""
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    view = market.view("2013-12-31")
    only_momentum = FeatureSet(
        return_windows=(),
        reversal_windows=(),
        vol_windows=(),
        downside_windows=(),
        drawdown_windows=(),
        volume_windows=(),
        ma_windows=(),
        rank_features=(),
        market_windows=(),
    )
    features = only_momentum.fit(view).transform(view)
    momentum = features.frame["mom_252_21"].dropna()
    return EtfMomentum(market, view, momentum, forward_returns(view, 21))
