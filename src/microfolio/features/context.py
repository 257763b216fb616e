"""Cross-sectional feature functions: ranks among tickers, market and asset-class context.

Each value at session ``t`` is built from the row of ``t`` of its inputs (and, for the market
level, the rows before it), so these keep the point-in-time property of the per-ticker features
they are applied to. Inputs are wide frames (sessions x tickers) with NaN where a ticker has no
value; such tickers take no part in the cross-section of that session.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "broadcast",
    "class_mean",
    "compounded_return",
    "cross_sectional_rank",
    "equal_weight_returns",
]


def cross_sectional_rank(values: pd.DataFrame) -> pd.DataFrame:
    """Per session, the percentile rank in [0, 1] among tickers with a value.

    ``(rank - 1) / (n - 1)`` with average ranks for ties: 0 is the lowest, 1 the highest; a
    session with a single value ranks it 0.5. NaN stays NaN.
    """
    ranks = values.rank(axis=1, method="average", na_option="keep").to_numpy(dtype=np.float64)
    counts = values.notna().sum(axis=1).to_numpy(dtype=np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(counts > 1.0, (ranks - 1.0) / (counts - 1.0), 0.5)
    pct[np.isnan(ranks)] = np.nan
    return pd.DataFrame(pct, index=values.index, columns=values.columns, copy=False)


def class_mean(values: pd.DataFrame, classes: Mapping[str, str]) -> pd.DataFrame:
    """Per session and ticker, the mean of ``values`` over the tickers of the ticker's class
    that have a value (the ticker itself included); NaN where none has."""
    out = np.full(values.shape, np.nan)
    by_class: dict[str, list[int]] = {}
    for position, ticker in enumerate(values.columns):
        by_class.setdefault(classes[ticker], []).append(position)
    for members in by_class.values():
        mean = values.iloc[:, members].mean(axis=1, skipna=True).to_numpy(dtype=np.float64)
        out[:, members] = mean[:, None]
    return pd.DataFrame(out, index=values.index, columns=values.columns, copy=False)


def equal_weight_returns(returns: pd.DataFrame) -> pd.Series:
    """Per session, the mean daily return of the tickers that have one (NaN if none)."""
    return returns.mean(axis=1, skipna=True)


def compounded_return(returns: pd.Series, window: int) -> pd.Series:
    """The return compounded over the last ``window`` daily ``returns``:
    ``exp(sum(log(1 + r))) - 1``, NaN until ``window`` returns are in (a sum of logs, not a
    running product, so no level can overflow however long or wild the history)."""
    logs = np.log1p(returns.to_numpy(dtype=np.float64))
    summed = pd.Series(logs, index=returns.index).rolling(window, min_periods=window).sum()
    return pd.Series(np.expm1(summed.to_numpy()), index=returns.index)


def broadcast(series: pd.Series, like: pd.DataFrame) -> pd.DataFrame:
    """``series`` (indexed by session) repeated in every column of ``like``."""
    values = np.repeat(series.to_numpy(dtype=np.float64)[:, None], like.shape[1], axis=1)
    return pd.DataFrame(values, index=like.index, columns=like.columns, copy=False)
