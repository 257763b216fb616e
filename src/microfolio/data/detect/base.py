"""What the detectors share: the bars as numpy arrays, and the :class:`Finding` they return."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.frames import canonical_long
from microfolio.data.issues import IssueKind

__all__ = ["Bars", "Finding", "fmt_price"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Finding:
    """A fact a detector found, before the policy decides what to do about it.

    ``actionable`` is false for findings below their kind's bar (a short stale run, a move
    confirmed by volume): those are only ever warnings. ``size`` is the number of sessions a
    run or gap covers.
    """

    kind: IssueKind
    ticker: str
    date: dt.date
    detail: str
    actionable: bool = True
    size: int = 1


class Bars:
    """Canonical long bars as flat numpy arrays, built once per gate and shared by detectors.

    Rows stay in canonical (ticker, date) order, so a ticker's bars are one contiguous block.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = canonical_long(frame)
        codes, tickers = pd.factorize(self.frame["ticker"], sort=True)
        self.codes: IntArray = codes.astype(np.intp)
        self.tickers: list[str] = [str(t) for t in tickers]
        self.dates = self.frame["date"].to_numpy(dtype="datetime64[ns]")
        self.days = self.dates.view(np.int64)
        self.open: FloatArray = self.frame["open"].to_numpy(dtype=np.float64)
        self.high: FloatArray = self.frame["high"].to_numpy(dtype=np.float64)
        self.low: FloatArray = self.frame["low"].to_numpy(dtype=np.float64)
        self.close: FloatArray = self.frame["close"].to_numpy(dtype=np.float64)
        self.volume: FloatArray = self.frame["volume"].to_numpy(dtype=np.float64)
        repeats_next = (self.codes[1:] == self.codes[:-1]) & (self.days[1:] == self.days[:-1])
        #: true on the last row of each (ticker, date): duplicates are judged by their last row
        self.last_of_date: BoolArray = np.append(~repeats_next, True) if len(self) else repeats_next
        with np.errstate(invalid="ignore"):
            self.valid_close: BoolArray = np.isfinite(self.close) & (self.close > 0)

    def __len__(self) -> int:
        return len(self.codes)

    def ticker(self, row: int | np.integer) -> str:
        return self.tickers[int(self.codes[row])]

    def date(self, row: int | np.integer) -> dt.date:
        return pd.Timestamp(self.dates[row]).date()

    def series_rows(self) -> IntArray:
        """Rows of the close-price series: one per (ticker, date), with a finite positive close."""
        return np.flatnonzero(self.last_of_date & self.valid_close)


def fmt_price(value: float) -> str:
    """A price the way a person writes it: up to 6 significant digits."""
    return f"{value:.6g}"
