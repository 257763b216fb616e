"""What is known at the close of one session: the point-in-time slice of market data.

A :class:`MarketView` is made only by :meth:`MarketData.view <microfolio.data.market.MarketData.view>`.
It holds the first ``n`` rows of the market's arrays (numpy views, no copy) and nothing later,
so any statistic computed from it at ``as_of`` cannot see the future. Its frames are backed by
read-only memory: copy them (``view.close.copy()``) before writing into them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.frames import FIELDS
from microfolio.errors import NotFoundError

__all__ = ["MarketView"]


class MarketView:
    """Sessions up to and including ``as_of``: wide OHLCV frames (sessions x tickers)."""

    __slots__ = ("_arrays", "_frames", "_sessions", "_tickers")

    def __init__(
        self,
        sessions: pd.DatetimeIndex,
        tickers: pd.Index,
        arrays: Mapping[str, npt.NDArray[np.float64]],
    ) -> None:
        if len(sessions) == 0:
            raise NotFoundError("a market view needs at least one session")
        self._sessions = sessions
        self._tickers = tickers
        self._arrays = dict(arrays)
        self._frames: dict[str, pd.DataFrame] = {}

    @property
    def as_of(self) -> dt.date:
        """The last session in the view (the latest session on or before the date asked for)."""
        last: dt.date = self._sessions[-1].date()
        return last

    @property
    def sessions(self) -> pd.DatetimeIndex:
        return self._sessions

    @property
    def tickers(self) -> pd.Index:
        return self._tickers

    def __len__(self) -> int:
        return len(self._sessions)

    def frame(self, field: str) -> pd.DataFrame:
        """One field as a wide frame: index sessions up to ``as_of``, columns tickers."""
        cached = self._frames.get(field)
        if cached is None:
            cached = pd.DataFrame(
                self._array(field), index=self._sessions, columns=self._tickers, copy=False
            )
            self._frames[field] = cached
        return cached

    @property
    def open(self) -> pd.DataFrame:
        return self.frame("open")

    @property
    def high(self) -> pd.DataFrame:
        return self.frame("high")

    @property
    def low(self) -> pd.DataFrame:
        return self.frame("low")

    @property
    def close(self) -> pd.DataFrame:
        return self.frame("close")

    @property
    def volume(self) -> pd.DataFrame:
        return self.frame("volume")

    def last(self, field: str = "close") -> pd.Series:
        """The ``as_of`` row of one field, indexed by ticker (NaN where a ticker has no bar)."""
        return pd.Series(
            self._array(field)[-1], index=self._tickers, name=self._sessions[-1], copy=False
        )

    def _array(self, field: str) -> npt.NDArray[np.float64]:
        try:
            return self._arrays[field]
        except KeyError:
            raise NotFoundError(
                f"field must be one of {', '.join(FIELDS)}, got {field!r}"
            ) from None

    def __repr__(self) -> str:
        return f"MarketView(as_of={self.as_of}, sessions={len(self)}, tickers={len(self._tickers)})"
