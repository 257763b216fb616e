"""Parameter and input checks of the regime detectors: run in ``fit`` and the labelling
methods (``__init__`` stays free of logic), each refusing with one line naming the argument."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import check_count, check_fraction, check_unit_interval
from microfolio.errors import DataFormatError

__all__ = ["check_count", "check_fraction", "check_returns", "check_unit_interval"]

Floats = npt.NDArray[np.float64]


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
