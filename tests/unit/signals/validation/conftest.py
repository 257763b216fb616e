"""Fixtures for the validation tests: 20 bundled ETFs, 2010-2013, horizon 21, and a synthetic
panel whose label depends on one feature only."""

from __future__ import annotations

import pandas as pd
import pytest

from microfolio.data import FIELDS, GatePolicy, MarketData, load_bundled_bars
from microfolio.features import FeatureFrame, FeatureSet, WideBars, forward_excess_returns

#: twenty ETFs with bars from 2005 on
TICKERS = (
    "AGG", "DVY", "EEM", "EFA", "GLD", "IAU", "IEF", "IJR", "IVV", "IWM",
    "IYR", "LQD", "SHY", "SPY", "TIP", "TLT", "VB", "VNQ", "VTI", "VTV",
)  # fmt: skip
HORIZON = 21
START, END = "2010-01-01", "2013-12-31"


@pytest.fixture(scope="session")
def val_xy() -> tuple[FeatureFrame, pd.Series]:
    """Features and 21-session forward excess returns of the panel, 2010-2013."""
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    view = market.view(END)
    bars = WideBars(**{field: view.frame(field)[list(TICKERS)] for field in FIELDS})
    features = FeatureSet().fit(bars).transform(bars)
    labels = forward_excess_returns(bars, HORIZON)
    frame = features.frame
    rows = frame.index.get_level_values("date") >= pd.Timestamp(START)
    return FeatureFrame(frame[rows], features.spec), labels[rows]
