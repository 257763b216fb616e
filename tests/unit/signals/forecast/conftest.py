"""Fixtures for the return-forecaster tests: 20 bundled ETFs, 2010-2013, horizon 21, and a small
synthetic panel whose label depends on one feature only."""

from __future__ import annotations

import numpy as np
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
#: the last training date of the fit/predict tests (labels end before TEST_START)
TRAIN_END, TEST_START = "2012-11-28", "2013-01-02"


@pytest.fixture(scope="session")
def fc_bars() -> WideBars:
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    view = market.view(END)
    return WideBars(**{field: view.frame(field)[list(TICKERS)] for field in FIELDS})


@pytest.fixture(scope="session")
def fc_xy(fc_bars: WideBars) -> tuple[FeatureFrame, pd.Series]:
    """Features and 21-session forward excess returns of the panel, 2010-2013."""
    features = FeatureSet().fit(fc_bars).transform(fc_bars)
    labels = forward_excess_returns(fc_bars, HORIZON)
    frame = features.frame
    rows = frame.index.get_level_values("date") >= pd.Timestamp(START)
    return FeatureFrame(frame[rows], features.spec), labels[rows]


def rows_between(
    x: FeatureFrame,
    y: pd.Series,
    first: str | None,
    last: str | None,
) -> tuple[FeatureFrame, pd.Series]:
    frame = x.frame
    dates = frame.index.get_level_values("date")
    rows = np.ones(len(frame), dtype=bool)
    if first is not None:
        rows &= dates >= pd.Timestamp(first)
    if last is not None:
        rows &= dates <= pd.Timestamp(last)
    return FeatureFrame(frame[rows], x.spec), y[rows]


@pytest.fixture(scope="session")
def fc_train(fc_xy: tuple[FeatureFrame, pd.Series]) -> tuple[FeatureFrame, pd.Series]:
    return rows_between(*fc_xy, None, TRAIN_END)


@pytest.fixture(scope="session")
def fc_test(fc_xy: tuple[FeatureFrame, pd.Series]) -> tuple[FeatureFrame, pd.Series]:
    return rows_between(*fc_xy, TEST_START, None)
