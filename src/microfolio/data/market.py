"""Validated market data in memory, and the one way to slice it: :meth:`MarketData.view`.

Bars are held as wide float64 arrays (sessions x tickers, NaN where a ticker has no bar) for
open, high, low, close and volume, next to the issues the gate found and the data version.
Nothing else in microfolio slices history by date: a backtest asks for ``market.view(t)`` at each
step and gets exactly what was known at the close of ``t``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.frames import FIELDS, long_to_arrays
from microfolio.data.gate import GatedBars, apply_gate
from microfolio.data.issues import DataIssue
from microfolio.data.policy import GatePolicy
from microfolio.data.view import MarketView
from microfolio.errors import NotFoundError

__all__ = ["MarketData"]


class MarketData:
    """Gated bars as read-only wide arrays, with their issues and data version."""

    __slots__ = ("_arrays", "_days", "_gated", "_sessions", "_tickers")

    def __init__(self, gated: GatedBars) -> None:
        sessions, tickers, arrays = long_to_arrays(gated.bars, FIELDS)
        for array in arrays.values():
            array.setflags(write=False)
        self._gated = gated
        self._sessions = sessions
        self._tickers = tickers
        self._arrays: dict[str, npt.NDArray[np.float64]] = arrays
        self._days = sessions.to_numpy(dtype="datetime64[ns]").view(np.int64)

    @classmethod
    def from_bars(
        cls,
        bars: pd.DataFrame,
        policy: GatePolicy | None = None,
        *,
        sessions: pd.DatetimeIndex | None = None,
    ) -> MarketData:
        """Run the gate over ``bars`` (long or wide) and hold the result.

        Raises ``DataBlockedError`` if the policy blocks, ``DataFormatError`` if not prices.
        """
        return cls(apply_gate(bars, policy or GatePolicy(), sessions=sessions))

    @property
    def sessions(self) -> pd.DatetimeIndex:
        """Every session with at least one bar, ascending."""
        return self._sessions

    @property
    def tickers(self) -> pd.Index:
        return self._tickers

    @property
    def data_version(self) -> str:
        return self._gated.data_version

    @property
    def source_version(self) -> str:
        return self._gated.source_version

    @property
    def issues(self) -> tuple[DataIssue, ...]:
        return self._gated.issues

    @property
    def dropped(self) -> tuple[str, ...]:
        """Tickers the gate removed under drop_ticker."""
        return self._gated.dropped

    @property
    def gated(self) -> GatedBars:
        """The gated long bars this market was built from."""
        return self._gated

    def view(self, as_of: dt.date | str | pd.Timestamp) -> MarketView:
        """Everything known at the close of the last session on or before ``as_of``.

        ``as_of`` is a date (a time of day is ignored). O(log n): a binary search and array
        views, no copy. Raises ``NotFoundError`` before the first session.
        """
        day = pd.Timestamp(as_of).normalize()
        if day.tzinfo is not None:
            day = day.tz_localize(None)
        n = int(np.searchsorted(self._days, day.as_unit("ns").value, side="right"))
        if n == 0:
            first = self._sessions[0].date() if len(self._sessions) else None
            raise NotFoundError(
                f"as_of {day.date()} is before the first session of the market data ({first})"
            )
        return MarketView(
            self._sessions[:n], self._tickers, {f: a[:n] for f, a in self._arrays.items()}
        )

    def __repr__(self) -> str:
        span = (
            f"{self._sessions[0].date()}..{self._sessions[-1].date()}"
            if len(self._sessions)
            else "empty"
        )
        return (
            f"MarketData({len(self._tickers)} tickers, {len(self._sessions)} sessions {span}, "
            f"version {self.data_version}, {len(self.issues)} issues)"
        )
