"""Features in long form: one row per (date, ticker), one float64 column per feature.

A :class:`FeatureFrame` is what every feature transformer returns and what models consume. It
is checked on construction (a sorted, unique ``(date, ticker)`` index; named float64 columns;
NaN allowed, infinities not) and frozen: :attr:`FeatureFrame.frame` hands out a copy-on-write
copy, so nothing a caller does to it reaches the original. ``spec`` records how the features
were made and :attr:`FeatureFrame.version` is a stable hash of it and of the feature names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, NotFoundError

__all__ = ["INDEX_NAMES", "FeatureFrame"]

INDEX_NAMES: tuple[str, str] = ("date", "ticker")
_SCHEME = "microfolio-features-v1"
_VERSION_LENGTH = 16


class FeatureFrame:
    """Point-in-time features indexed by (date, ticker), sorted, float64, with their spec."""

    __slots__ = ("_frame", "_spec")

    _frame: pd.DataFrame
    _spec: str

    def __init__(self, frame: pd.DataFrame, spec: str = "") -> None:
        _check(frame)
        if not isinstance(spec, str):
            raise DataFormatError(f"spec must be a string, got {type(spec).__name__}")
        object.__setattr__(self, "_frame", frame.copy(deep=False))
        object.__setattr__(self, "_spec", spec)

    @classmethod
    def from_wide(
        cls, features: Mapping[str, pd.DataFrame], rows: pd.DataFrame, spec: str = ""
    ) -> FeatureFrame:
        """Stack wide feature frames (sessions x tickers) into long form.

        ``rows`` is a boolean wide frame saying which (session, ticker) cells become rows (for
        the feature transformers: where the ticker has a bar); every feature frame must share
        its index and columns. Sessions must ascend and tickers must be sorted and unique.
        """
        if not features:
            raise DataFormatError("features must hold at least one wide frame")
        sessions, tickers = rows.index, rows.columns
        for name, wide in features.items():
            if not (wide.index.equals(sessions) and wide.columns.equals(tickers)):
                raise DataFormatError(
                    f"feature {name!r} must have the sessions and tickers of rows"
                )
        at_row, at_col = np.nonzero(rows.to_numpy(dtype=bool))  # row-major: (date, ticker) order
        values = np.empty((len(features), len(at_row)), dtype=np.float64)
        for i, wide in enumerate(features.values()):
            values[i] = wide.to_numpy(dtype=np.float64)[at_row, at_col]
        levels: list[Any] = [sessions, tickers]
        codes: list[Any] = [at_row, at_col]
        index = pd.MultiIndex(
            levels=levels,
            codes=codes,
            names=list(INDEX_NAMES),
            verify_integrity=False,
        )
        columns = pd.Index(list(features), dtype="str")
        return cls(pd.DataFrame(values.T, index=index, columns=columns, copy=False), spec)

    @property
    def frame(self) -> pd.DataFrame:
        """The features as a DataFrame (a copy-on-write copy: writing to it leaves this intact)."""
        return self._frame.copy(deep=False)

    @property
    def spec(self) -> str:
        return self._spec

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._frame.columns)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The distinct dates with at least one row, ascending."""
        return pd.DatetimeIndex(self._frame.index.unique(level=INDEX_NAMES[0]))

    @property
    def tickers(self) -> pd.Index:
        """The distinct tickers with at least one row, sorted."""
        return self._frame.index.unique(level=INDEX_NAMES[1]).sort_values()

    @property
    def version(self) -> str:
        """First 16 hex digits of a SHA-256 over the feature names and the spec."""
        payload = json.dumps({"scheme": _SCHEME, "names": list(self.names), "spec": self._spec})
        return hashlib.sha256(payload.encode()).hexdigest()[:_VERSION_LENGTH]

    def at(self, date: dt.date | str | pd.Timestamp) -> pd.DataFrame:
        """The cross-section of one date: index tickers, columns features."""
        day = pd.Timestamp(date)
        try:
            section = self._frame.xs(day, level=INDEX_NAMES[0], drop_level=True)
        except KeyError:
            raise NotFoundError(f"date {day.date()} has no rows in the features") from None
        return pd.DataFrame(section).copy(deep=False)

    def to_numpy(self) -> npt.NDArray[np.float64]:
        """The values, rows in index order and columns in :attr:`names` order (read-only)."""
        values = self._frame.to_numpy(dtype=np.float64)
        if values.flags.writeable:
            values = values.view()
            values.setflags(write=False)
        return values

    def dropna(self) -> FeatureFrame:
        """Only the complete rows: those with every feature present."""
        return FeatureFrame(self._frame.dropna(how="any"), self._spec)

    def __len__(self) -> int:
        return len(self._frame)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureFrame):
            return NotImplemented
        return self._spec == other._spec and self._frame.equals(other._frame)

    def __hash__(self) -> int:
        return hash((self.version, len(self)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"FeatureFrame is frozen: cannot set {name}")

    def __repr__(self) -> str:
        span = f"{self.dates[0].date()}..{self.dates[-1].date()}" if len(self) else "empty"
        return (
            f"FeatureFrame({len(self)} rows, {len(self.names)} features, {span}, "
            f"version {self.version})"
        )


def _check(frame: object) -> None:
    """Refuse what is not a long feature frame, with one line naming the problem."""
    if not isinstance(frame, pd.DataFrame):
        raise DataFormatError(f"features must be a DataFrame, got {type(frame).__name__}")
    index = frame.index
    if not isinstance(index, pd.MultiIndex) or tuple(index.names) != INDEX_NAMES:
        raise DataFormatError(
            f"features index must be a (date, ticker) MultiIndex, got names {list(index.names)}"
        )
    if not isinstance(index.levels[0], pd.DatetimeIndex):
        raise DataFormatError(f"features date level must hold dates, got {index.levels[0].dtype}")
    if frame.shape[1] == 0:
        raise DataFormatError("features have no columns")
    names = list(frame.columns)
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise DataFormatError(f"feature names must be non-empty strings, got {bad[0]!r}")
    if not frame.columns.is_unique:
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise DataFormatError(f"features repeat names: {', '.join(repeated)}")
    not_float = [(n, dtype) for n, dtype in frame.dtypes.items() if dtype != np.float64]
    if not_float:
        raise DataFormatError(f"feature {not_float[0][0]!r} must be float64, got {not_float[0][1]}")
    infinite = np.isinf(frame.to_numpy(dtype=np.float64)).any(axis=0)
    if infinite.any():
        raise DataFormatError(f"feature {names[int(np.argmax(infinite))]!r} has infinite values")
    if not (index.is_monotonic_increasing and index.is_unique):
        raise DataFormatError("features index must be sorted by (date, ticker) without repeats")
