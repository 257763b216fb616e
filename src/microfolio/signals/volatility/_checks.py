"""Parameter and input checks of the volatility forecasters: run in ``fit`` (``__init__`` stays
free of logic), each refusing with one line that names the argument and the value."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import check_choice, check_count, check_positive, check_unit_interval
from microfolio.errors import DataFormatError

__all__ = [
    "check_choice",
    "check_count",
    "check_positive",
    "check_returns_series",
    "check_unit_interval",
]

Floats = npt.NDArray[np.float64]


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
