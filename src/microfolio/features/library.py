"""Per-ticker feature functions over wide frames (sessions x tickers), vectorised.

Every function reads, for the row of session ``t``, only rows ``<= t``: shifts look back,
rolling windows trail and end at ``t``. A value is NaN until its window is full and wherever a
price inside the window is missing (a window never silently shrinks). Windows count sessions
(rows of the frame). Volatilities are annualised with :data:`SESSIONS_PER_YEAR`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "SESSIONS_PER_YEAR",
    "average_log_change",
    "daily_returns",
    "downside_volatility",
    "drawdown",
    "momentum",
    "moving_average_gap",
    "realised_volatility",
    "reversal",
    "trailing_return",
]

#: sessions per year used to annualise daily volatilities
SESSIONS_PER_YEAR = 252


def daily_returns(close: pd.DataFrame) -> pd.DataFrame:
    """``close_t / close_{t-1} - 1``; NaN on the first row and next to a missing close."""
    return close / close.shift(1) - 1.0


def trailing_return(close: pd.DataFrame, window: int) -> pd.DataFrame:
    """``close_t / close_{t-window} - 1``."""
    return close / close.shift(window) - 1.0


def momentum(close: pd.DataFrame, lookback: int, skip: int) -> pd.DataFrame:
    """``close_{t-skip} / close_{t-lookback} - 1``: the return over ``lookback`` sessions that
    leaves out the last ``skip`` (12-1 month momentum is ``lookback=252, skip=21``)."""
    return close.shift(skip) / close.shift(lookback) - 1.0


def reversal(close: pd.DataFrame, window: int) -> pd.DataFrame:
    """Short-term reversal: minus the trailing return, so recent losers score high."""
    return -trailing_return(close, window)


def realised_volatility(returns: pd.DataFrame, window: int) -> pd.DataFrame:
    """Annualised sample standard deviation (ddof 1) of the last ``window`` daily returns."""
    std = returns.rolling(window, min_periods=window).std(ddof=1)
    return std * math.sqrt(SESSIONS_PER_YEAR)


def downside_volatility(returns: pd.DataFrame, window: int) -> pd.DataFrame:
    """Annualised downside deviation: ``sqrt(mean(min(r, 0)^2))`` over the last ``window``."""
    losses = returns.clip(upper=0.0)
    mean_square = (losses * losses).rolling(window, min_periods=window).mean()
    return (mean_square * SESSIONS_PER_YEAR) ** 0.5


def drawdown(close: pd.DataFrame, window: int) -> pd.DataFrame:
    """``close_t / max(close over the last window sessions) - 1``: zero at a high, else < 0."""
    return close / close.rolling(window, min_periods=window).max() - 1.0


def moving_average_gap(close: pd.DataFrame, window: int) -> pd.DataFrame:
    """``close_t / SMA(window)_t - 1``: how far the price stands above its moving average."""
    return close / close.rolling(window, min_periods=window).mean() - 1.0


def average_log_change(values: pd.DataFrame, window: int) -> pd.DataFrame:
    """``log(mean_t / mean_{t-window})`` of the ``window``-session average of ``values``.

    For volume (or dollar volume): how much trading picked up over the last ``window`` sessions
    against the ``window`` before. NaN where either average is zero.
    """
    average = values.rolling(window, min_periods=window).mean()
    ratio = (average / average.shift(window)).to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.log(ratio)
    logged[~np.isfinite(logged)] = np.nan
    return pd.DataFrame(logged, index=values.index, columns=values.columns, copy=False)
