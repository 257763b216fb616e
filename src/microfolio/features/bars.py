"""What the feature transformers read: wide OHLCV frames, as one small protocol.

A :class:`Bars` is anything with wide ``open``, ``high``, ``low``, ``close`` and ``volume`` frames
(index: ascending session dates, columns: tickers), such as a
:class:`~microfolio.data.MarketView`. :class:`WideBars` is the plain frozen holder for frames
made by hand or from long bars; :func:`as_wide_bars` checks any ``Bars`` once, so the feature
code can rely on float64 frames with sorted tickers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from microfolio.data.frames import FIELDS, long_to_arrays
from microfolio.errors import DataFormatError

__all__ = ["Bars", "WideBars", "as_wide_bars"]


@runtime_checkable
class Bars(Protocol):
    """Wide OHLCV frames: sessions x tickers, NaN where a ticker has no bar."""

    @property
    def open(self) -> pd.DataFrame: ...

    @property
    def high(self) -> pd.DataFrame: ...

    @property
    def low(self) -> pd.DataFrame: ...

    @property
    def close(self) -> pd.DataFrame: ...

    @property
    def volume(self) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class WideBars:
    """Checked wide OHLCV frames sharing one session index and one sorted ticker column set.

    Frames are stored as float64 with tickers sorted; close must be positive and volume
    non-negative where present. Raises ``DataFormatError`` naming the field and the problem.
    """

    open: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    close: pd.DataFrame
    volume: pd.DataFrame

    def __post_init__(self) -> None:
        close = _check_close(self.close)
        order = None if close.columns.is_monotonic_increasing else close.columns.sort_values()
        for field in FIELDS:
            frame = getattr(self, field)
            if not isinstance(frame, pd.DataFrame):
                raise DataFormatError(
                    f"bars.{field} must be a DataFrame, got {type(frame).__name__}"
                )
            if not (frame.index.equals(close.index) and frame.columns.equals(close.columns)):
                raise DataFormatError(f"bars.{field} must have the sessions and tickers of close")
            frame = _as_float(frame, field)
            object.__setattr__(self, field, frame if order is None else frame[order])
        _check_values(self.close, "close", allow_zero=False)
        _check_values(self.volume, "volume", allow_zero=True)

    @classmethod
    def from_long(cls, bars: pd.DataFrame) -> WideBars:
        """Wide frames from long bars (see :mod:`microfolio.data.frames`); run the gate first."""
        sessions, tickers, arrays = long_to_arrays(bars, FIELDS)
        frames = {
            f: pd.DataFrame(arrays[f], index=sessions, columns=tickers, copy=False) for f in FIELDS
        }
        return cls(**frames)

    @property
    def tickers(self) -> pd.Index:
        return self.close.columns

    @property
    def sessions(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.close.index)

    def __repr__(self) -> str:
        span = f"{self.sessions[0].date()}..{self.sessions[-1].date()}"
        return f"WideBars({len(self.sessions)} sessions x {len(self.tickers)} tickers, {span})"


def as_wide_bars(bars: Bars) -> WideBars:
    """``bars`` checked and normalised (a ``WideBars`` is returned as it is)."""
    if isinstance(bars, WideBars):
        return bars
    missing = [f for f in FIELDS if not hasattr(bars, f)]
    if missing:
        raise DataFormatError(
            f"bars must have wide {', '.join(FIELDS)} frames, got {type(bars).__name__} "
            f"without {', '.join(missing)}"
        )
    return WideBars(
        open=bars.open, high=bars.high, low=bars.low, close=bars.close, volume=bars.volume
    )


def _check_close(close: object) -> pd.DataFrame:
    if not isinstance(close, pd.DataFrame):
        raise DataFormatError(f"bars.close must be a DataFrame, got {type(close).__name__}")
    if close.shape[0] == 0 or close.shape[1] == 0:
        raise DataFormatError(
            f"bars.close is empty: {close.shape[0]} sessions x {close.shape[1]} tickers"
        )
    index = close.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataFormatError(f"bars.close index must be session dates, got {type(index).__name__}")
    if not (index.is_monotonic_increasing and index.is_unique):
        raise DataFormatError("bars.close index must be strictly increasing session dates")
    if index.tz is not None:
        raise DataFormatError(f"bars.close index must be time-zone naive, got {index.tz}")
    bad = [c for c in close.columns if not isinstance(c, str) or not c]
    if bad:
        raise DataFormatError(f"bars tickers must be non-empty strings, got {bad[0]!r}")
    if not close.columns.is_unique:
        repeated = sorted(set(close.columns[close.columns.duplicated()]))
        raise DataFormatError(f"bars have duplicate tickers: {', '.join(repeated)}")
    return close


def _as_float(frame: pd.DataFrame, field: str) -> pd.DataFrame:
    if all(dtype == np.float64 for dtype in frame.dtypes):
        return frame
    try:
        return frame.astype(np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"bars.{field} must hold numbers") from None


def _check_values(frame: pd.DataFrame, field: str, *, allow_zero: bool) -> None:
    values = frame.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ~(
            np.isfinite(values) & ((values >= 0.0) if allow_zero else (values > 0.0))
        )
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        rule = "non-negative" if allow_zero else "positive"
        raise DataFormatError(
            f"bars.{field} must be {rule} and finite, got {float(values[row, col])!r} for "
            f"{frame.columns[col]} on {frame.index[row].date()}"
        )
