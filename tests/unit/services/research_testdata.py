"""Data of the research tests: fifteen bundled ETFs from 2007, the short study's
configuration, and prices perturbed after a date (for the point-in-time tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from microfolio.data import GatePolicy, MarketData, load_bundled_bars
from microfolio.services.research import ResearchConfig

#: fifteen ETFs with bars from 2005 on (VTI and AGG for the 60/40)
TICKERS = (
    "AGG", "DVY", "EEM", "EFA", "GLD", "IEF", "IWM", "IYR", "LQD", "SHY", "SPY", "TIP", "TLT",
    "VNQ", "VTI",
)  # fmt: skip
FIRST, TEST_START, END = "2007-01-01", "2010-07-01", "2012-12-31"


def short_config(**overrides: object) -> ResearchConfig:
    """The short study: three quick models, two volatility models, small windows."""
    settings: dict[str, object] = {
        "models": ("momentum", "zero", "elastic_net"),
        "vol_models": ("ewma", "har"),
        "test_start": TEST_START,
        "end": END,
        "cov_window": 252,
        "min_periods": 6,
        "fast": True,
    }
    return ResearchConfig.for_universe("etfs", **(settings | overrides))


def etf_bars(last: str = "2013-12-31") -> pd.DataFrame:
    """Long bars of the fifteen ETFs from 2007 to ``last`` (beyond the test's end on purpose)."""
    bars = load_bundled_bars()
    keep = bars["ticker"].isin(TICKERS) & (bars["date"] >= FIRST) & (bars["date"] <= last)
    return bars[keep].reset_index(drop=True)


def perturb_after(bars: pd.DataFrame, after: str, seed: int = 7) -> pd.DataFrame:
    """The bars with every price after ``after`` moved by a smooth random factor per ticker
    (daily steps of about 0.3 %, small enough that the validation gate sees nothing new)."""
    out = bars.copy()
    later = out["date"] > pd.Timestamp(after)
    rng = np.random.default_rng(seed)
    factor = np.ones(len(out))
    for ticker in TICKERS:
        rows = np.flatnonzero(later & (out["ticker"] == ticker))
        steps = rng.normal(0.0005, 0.003, size=len(rows))
        factor[rows] = np.exp(np.cumsum(steps))
    for column in ("open", "high", "low", "close"):
        out[column] = out[column] * factor
    return out


def market_of(bars: pd.DataFrame) -> MarketData:
    return MarketData.from_bars(bars, policy=GatePolicy())
