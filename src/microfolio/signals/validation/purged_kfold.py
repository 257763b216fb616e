"""Purged k-fold cross-validation with an embargo (López de Prado 2018, ch. 7).

The dates are cut into ``n_splits`` contiguous folds. Each fold is a test set once; its
training set is every other date except those whose label interval ``[t, t + horizon]``
overlaps the label interval of a test date (the purge: ``horizon`` dates before the fold and
``horizon`` after it) and the ``embargo`` dates after that (features and returns are serially
dependent, so the dates right after a test fold still carry its information). ``embargo`` is a
number of sessions (an int) or a share of all dates (a float in ``[0, 1)``, rounded up).

Unlike a walk-forward, folds train on dates after the test fold too: use it to choose
hyper-parameters, never to report out-of-sample performance.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.forecast._checks import check_count, check_fraction
from microfolio.signals.validation.split import Split, check_dates, overlapping_positions

__all__ = ["PurgedKFold"]


@dataclass(frozen=True, slots=True)
class PurgedKFold:
    """Contiguous k-fold splits with purge and embargo (see the module)."""

    n_splits: int = 5
    horizon: int = 21
    embargo: int | float = 0

    def __post_init__(self) -> None:
        check_count("n_splits", self.n_splits, 2)
        check_count("horizon", self.horizon, 1)
        if isinstance(self.embargo, float):
            check_fraction("embargo", self.embargo)
        elif isinstance(self.embargo, bool) or not isinstance(self.embargo, int):
            raise InvariantError(
                f"embargo must be a number of sessions (int >= 0) or a share in [0, 1), "
                f"got {self.embargo!r}"
            )
        else:
            check_count("embargo", self.embargo, 0)

    def embargo_sessions(self, n_dates: int) -> int:
        """The embargo in sessions for ``n_dates`` dates."""
        if isinstance(self.embargo, float):
            return math.ceil(self.embargo * n_dates)
        return int(self.embargo)

    def split(self, dates: pd.DatetimeIndex) -> Iterator[Split]:
        """One split per fold, in fold order."""
        sessions = check_dates(dates)
        n = len(sessions)
        if n < self.n_splits:
            raise DataFormatError(f"dates hold {n} sessions: fewer than n_splits={self.n_splits}")
        embargo = self.embargo_sessions(n)
        for number, fold in enumerate(np.array_split(np.arange(n), self.n_splits)):
            tested = np.zeros(n, dtype=bool)
            tested[fold] = True
            train = ~overlapping_positions(tested, self.horizon, embargo)
            if not train.any():
                raise DataFormatError(
                    f"fold {number} leaves no training dates: {n} sessions are too few for "
                    f"n_splits={self.n_splits}, horizon={self.horizon}, embargo={embargo}"
                )
            yield Split(train=sessions[train], test=sessions[fold])
