"""One train/test split over dates, and the date checks the splitters share.

A :class:`Split` is a pair of ascending ``DatetimeIndex``: the dates to fit on and the dates to
predict. Splitters count sessions as positions in the dates they are given, so pass every
session (for instance ``X.dates`` of a :class:`~microfolio.features.FeatureFrame`).

Labels follow :mod:`microfolio.features.labels`: the label of the date at position ``p`` reads
the closes at ``p`` and ``p + horizon``, so it occupies positions ``[p, p + horizon]`` and is
known at ``p + horizon``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError

__all__ = ["Split", "check_dates", "overlapping_positions"]

Mask = npt.NDArray[np.bool_]


class Split(NamedTuple):
    """Dates to fit on (``train``) and dates to predict (``test``), each ascending."""

    train: pd.DatetimeIndex
    test: pd.DatetimeIndex


def check_dates(dates: object) -> pd.DatetimeIndex:
    """``dates`` as a DatetimeIndex, refused unless non-empty, unique and ascending."""
    if not isinstance(dates, pd.DatetimeIndex):
        raise DataFormatError(f"dates must be a DatetimeIndex, got {type(dates).__name__}")
    if len(dates) == 0:
        raise DataFormatError("dates is empty")
    if not (dates.is_monotonic_increasing and dates.is_unique):
        raise DataFormatError("dates must be unique and ascending")
    return dates


def overlapping_positions(tested: Mask, horizon: int, embargo: int) -> Mask:
    """Positions whose label interval ``[p, p + horizon]`` meets that of a ``tested`` position,
    plus the ``embargo`` positions after each such zone: the dates a model judged on ``tested``
    must not be fitted on (López de Prado 2018, ch. 7: purge and embargo). ``tested`` itself is
    included."""
    n = len(tested)
    marks = tested.astype(np.int64)
    # [p, p+h] meets [q, q+h] iff q - h <= p <= q + h; the embargo extends the zone after q + h
    before, after = horizon, horizon + embargo
    padded = np.concatenate([np.zeros(after, np.int64), marks, np.zeros(before, np.int64)])
    running = np.concatenate([[0], np.cumsum(padded)])
    # position p is blocked if any tested q lies in [p - after, p + before]
    width = before + after + 1
    counts = running[width : width + n] - running[:n]
    blocked: Mask = counts > 0
    return blocked
