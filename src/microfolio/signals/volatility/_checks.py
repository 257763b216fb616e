"""Parameter and input checks of the volatility forecasters: run in ``fit`` (``__init__`` stays
free of logic), each refusing with one line that names the argument and the value."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError

__all__ = [
    "check_choice",
    "check_count",
    "check_positive",
    "check_returns_series",
    "check_unit_interval",
]

Floats = npt.NDArray[np.float64]


def check_positive(name: str, value: object) -> float:
    """``value`` as a float, refused unless a finite real number above zero."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise InvariantError(f"{name} must be a positive finite number, got {value!r}")
    if float(value) <= 0.0:
        raise InvariantError(f"{name} must be positive, got {value!r}")
    return float(value)


def check_unit_interval(name: str, value: object) -> float:
    """``value`` as a float, refused unless strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 < float(value) < 1.0:
        raise InvariantError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def check_count(name: str, value: object, minimum: int) -> int:
    """``value`` as an int, refused unless a whole number at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise InvariantError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """``value`` refused unless one of ``choices``."""
    if value not in choices:
        raise InvariantError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return str(value)


def check_returns_series(returns: object, min_observations: int, name: str = "returns") -> Floats:
    """One asset's returns as a float array, refused unless a Series of at least
    ``min_observations`` finite values on a strictly increasing index, not all zero."""
    if not isinstance(returns, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(returns).__name__}")
    if len(returns) < min_observations:
        raise DataFormatError(
            f"{name} need at least {min_observations} observations, got {len(returns)}"
        )
    try:
        values = returns.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"{name} must be numeric, got dtype {returns.dtype}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        first = returns.index[int(np.argmax(bad))]
        raise DataFormatError(
            f"{name} contain {int(bad.sum())} missing or infinite values (first at {first}); "
            "drop the sessions before the asset's first price"
        )
    if not returns.index.is_monotonic_increasing or not returns.index.is_unique:
        raise DataFormatError(f"{name} index must be strictly increasing (sorted, no duplicates)")
    if not np.any(values):
        raise DataFormatError(f"{name} are all zero: there is no variance to model")
    return values
