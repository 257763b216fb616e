"""Parameter and input checks of the regime detectors: run in ``fit`` and the labelling
methods (``__init__`` stays free of logic), each refusing with one line naming the argument."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError

__all__ = ["check_count", "check_fraction", "check_returns", "check_unit_interval"]

Floats = npt.NDArray[np.float64]


def check_count(name: str, value: object, minimum: int) -> int:
    """``value`` as an int, refused unless a whole number at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise InvariantError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_unit_interval(name: str, value: object) -> float:
    """``value`` as a float, refused unless strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 < float(value) < 1.0:
        raise InvariantError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def check_fraction(name: str, value: object) -> float:
    """``value`` as a float, refused unless in ``[0, 1]``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) <= 1.0:
        raise InvariantError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def check_returns(returns: object, min_observations: int, name: str = "returns") -> Floats:
    """Daily market returns as a float array, refused unless a Series of at least
    ``min_observations`` finite values above -1 on a strictly increasing DatetimeIndex."""
    if not isinstance(returns, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(returns).__name__}")
    if not isinstance(returns.index, pd.DatetimeIndex):
        raise DataFormatError(
            f"{name} must be indexed by dates, got {type(returns.index).__name__}"
        )
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
            f"{name} contain {int(bad.sum())} missing or infinite values (first at {first.date()})"
        )
    if (values <= -1.0).any():
        first = returns.index[int(np.argmax(values <= -1.0))]
        raise DataFormatError(f"{name} must be above -1 (a total loss), got one at {first.date()}")
    if not (returns.index.is_monotonic_increasing and returns.index.is_unique):
        raise DataFormatError(f"{name} index must be strictly increasing (sorted, no duplicates)")
    if not np.any(values):
        raise DataFormatError(f"{name} are all zero: there is no variance to tell regimes by")
    return values
