"""The market series a regime detector reads: one ticker's or the equal-weight daily returns."""

from __future__ import annotations

import pandas as pd

from microfolio.errors import DataFormatError, NotFoundError
from microfolio.features.context import equal_weight_returns
from microfolio.features.library import daily_returns

__all__ = ["market_returns"]


def market_returns(close: pd.DataFrame, market: str | None = "VTI") -> pd.Series:
    """Daily simple returns of the market, from its first return to the last session of
    ``close`` (a wide frame: sessions x tickers, as ``MarketView.close``).

    The market is the ticker ``market`` (its sessions before its first price dropped; a gap
    after it is refused), or, if None, the equal-weight average of the tickers that have a
    return each session. The return at ``t`` reads closes ``<= t`` only.
    """
    if not isinstance(close, pd.DataFrame):
        raise DataFormatError(f"close must be a DataFrame, got {type(close).__name__}")
    if market is None:
        returns = equal_weight_returns(daily_returns(close))
        name = "equal_weight"
    else:
        if market not in close.columns:
            raise NotFoundError(f"market {market!r} is not a ticker of close")
        returns = daily_returns(close[[market]]).iloc[:, 0]
        name = market
    first = returns.first_valid_index()
    if first is None:
        raise DataFormatError(f"market {name!r} has no daily return in close")
    returns = returns.loc[first:]
    if returns.isna().any():
        gap = returns.index[int(returns.isna().to_numpy().argmax())]
        raise DataFormatError(f"market {name!r} has no return at {pd.Timestamp(gap).date()}")
    return pd.Series(returns.to_numpy(dtype=float), index=returns.index, name=name)
