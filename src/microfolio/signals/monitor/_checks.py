"""Input and parameter checks of the drift monitors and the registry, each refusing with one
line that names the argument and the value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import check_count, check_non_negative, check_text, check_unit_interval
from microfolio.errors import DataFormatError, InvariantError

__all__ = [
    "check_count",
    "check_date",
    "check_non_negative",
    "check_sample",
    "check_text",
    "check_unit_interval",
]

Floats = npt.NDArray[np.float64]


def check_sample(name: str, values: object, minimum: int = 1) -> Floats:
    """A one-dimensional sample as a float array, refused unless at least ``minimum`` values,
    all finite (drop missing values before: a gap is not an observation)."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"{name} must be numbers, got {type(values).__name__}") from None
    if array.ndim != 1:
        raise DataFormatError(f"{name} must be one-dimensional, got shape {array.shape}")
    if len(array) < minimum:
        raise DataFormatError(f"{name} need at least {minimum} values, got {len(array)}")
    bad = ~np.isfinite(array)
    if bad.any():
        raise DataFormatError(
            f"{name} contain {int(bad.sum())} missing or infinite values "
            f"(first at position {int(np.argmax(bad))})"
        )
    return array


def check_date(name: str, value: object) -> dt.date:
    """``value`` refused unless a ``datetime.date`` that is not a ``datetime`` (a session)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvariantError(f"{name} must be a date (not a datetime), got {value!r}")
    return value


def session(value: pd.Timestamp) -> dt.date:
    """A session label as a plain date."""
    return pd.Timestamp(value).date()
