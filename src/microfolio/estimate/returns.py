"""Returns from prices, and annualisation: in one place."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["TRADING_DAYS", "annualise_volatility", "returns_from_prices"]

#: sessions per year used to annualise daily statistics
TRADING_DAYS = 252


def returns_from_prices(
    prices: pd.DataFrame, kind: Literal["simple", "log"] = "simple"
) -> pd.DataFrame:
    """Period returns from a wide frame of prices; the first row (no previous price) is dropped.

    A missing price gives a missing return (never a zero): statistics skip it.
    """
    values = prices.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
    out = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.DataFrame(out, index=prices.index[1:], columns=prices.columns)


def annualise_volatility(daily: pd.Series | float) -> pd.Series | float:
    """Scale a daily standard deviation to a yearly one (square-root-of-time rule)."""
    return daily * float(np.sqrt(TRADING_DAYS))
