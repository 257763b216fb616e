"""Walk-forward splits: fit on the past, predict the next block, step forward, refit.

Test blocks are ``test_size`` consecutive dates, one every ``step`` dates (``step >= test_size``;
by default equal, so the blocks tile the dates); the last block may be shorter. The training
window of a block starting at position ``s`` is every date before ``s`` (``"expanding"``) or
the ``train_size`` dates before ``s`` (``"rolling"``), with its last ``horizon`` dates purged
by :func:`microfolio.features.purge`: their labels end after ``s - 1``, so they are not known
when the block starts. Every split therefore satisfies ``label_end(t) < test[0]`` for each
training date ``t``. The first block starts where the purged window first holds ``min_train``
dates, and no earlier than ``test_start`` if given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import purge
from microfolio.signals.forecast._checks import check_choice, check_count
from microfolio.signals.validation.split import Split, check_dates

__all__ = ["WalkForward"]


@dataclass(frozen=True, slots=True)
class WalkForward:
    """Expanding or rolling walk-forward splits with a purge of ``horizon`` dates (see module).

    ``train_size`` is the rolling window in dates before the purge (required for
    ``"rolling"``, refused for ``"expanding"``); ``step`` defaults to ``test_size``.
    """

    train: Literal["expanding", "rolling"] = "expanding"
    train_size: int | None = None
    test_size: int = 63
    step: int | None = None
    horizon: int = 21
    min_train: int = 252
    test_start: dt.date | str | pd.Timestamp | None = None

    def __post_init__(self) -> None:
        check_choice("train", self.train, ("expanding", "rolling"))
        check_count("test_size", self.test_size, 1)
        check_count("horizon", self.horizon, 1)
        check_count("min_train", self.min_train, 1)
        if self.step is not None and check_count("step", self.step, 1) < self.test_size:
            raise InvariantError(
                f"step must be at least test_size={self.test_size} (test blocks must not "
                f"overlap), got {self.step!r}"
            )
        if self.train == "rolling":
            if self.train_size is None:
                raise InvariantError("train_size is required for a rolling walk-forward")
            size = check_count("train_size", self.train_size, 1)
            if size - self.horizon < self.min_train:
                raise InvariantError(
                    f"train_size must be at least min_train + horizon = "
                    f"{self.min_train + self.horizon}, got {size}"
                )
        elif self.train_size is not None:
            raise InvariantError(
                f"train_size applies to a rolling walk-forward only, got {self.train_size!r} "
                "with train='expanding'"
            )
        if self.test_start is not None:
            try:
                object.__setattr__(self, "test_start", pd.Timestamp(self.test_start))
            except (TypeError, ValueError):
                raise InvariantError(
                    f"test_start must be a date, got {self.test_start!r}"
                ) from None

    @property
    def stride(self) -> int:
        """Dates between the starts of consecutive test blocks."""
        return self.test_size if self.step is None else self.step

    def split(self, dates: pd.DatetimeIndex) -> Iterator[Split]:
        """The splits over ``dates`` (every session, ascending), in time order."""
        sessions = check_dates(dates)
        n = len(sessions)
        first = self.min_train + self.horizon
        if self.train == "rolling":
            assert self.train_size is not None
            first = max(first, self.train_size)
        if self.test_start is not None:
            first = max(first, int(sessions.searchsorted(pd.Timestamp(self.test_start))))
        if first >= n:
            raise DataFormatError(
                f"dates hold {n} sessions: too few for a first test date after "
                f"min_train={self.min_train} + horizon={self.horizon} training dates"
                + ("" if self.test_start is None else f" and on or after {self.test_start}")
            )
        for start in range(first, n, self.stride):
            begin = 0 if self.train_size is None else start - self.train_size
            window = sessions[max(begin, 0) : start]
            yield Split(
                train=purge(window, self.horizon, sessions=sessions),
                test=sessions[start : min(start + self.test_size, n)],
            )

    def n_splits(self, dates: pd.DatetimeIndex) -> int:
        """How many splits :meth:`split` yields over ``dates``."""
        return sum(1 for _ in self.split(dates))
