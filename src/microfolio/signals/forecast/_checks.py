"""Parameter and input checks of the return forecasters, run in ``fit``/``predict`` (``__init__``
stays free of logic); each refuses with one line naming the argument and the value."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import (
    check_bool,
    check_choice,
    check_count,
    check_fraction,
    check_non_negative,
    check_positive,
    check_share,
)
from microfolio.errors import DataFormatError, NotFoundError
from microfolio.features import INDEX_NAMES, FeatureFrame

__all__ = [
    "check_bool",
    "check_choice",
    "check_count",
    "check_features",
    "check_fraction",
    "check_labels",
    "check_long_series",
    "check_non_negative",
    "check_positive",
    "check_share",
]

Floats = npt.NDArray[np.float64]


def check_features(X: object, names: tuple[str, ...] | None = None) -> pd.DataFrame:  # noqa: N803 (scikit-learn name)
    """The frame of a non-empty :class:`FeatureFrame` (with exactly ``names``, if given)."""
    if not isinstance(X, FeatureFrame):
        raise DataFormatError(f"X must be a FeatureFrame, got {type(X).__name__}")
    if len(X) == 0:
        raise DataFormatError("X has no rows")
    if names is not None and X.names != names:
        missing = [n for n in names if n not in X.names]
        extra = [n for n in X.names if n not in names]
        detail = f"missing {missing}" if missing else f"unexpected {extra}" if extra else "order"
        raise NotFoundError(f"X must have the features the model was fitted on ({detail})")
    return X.frame


def check_long_series(name: str, values: object) -> pd.Series:
    """A float Series on a (date, ticker) MultiIndex, without infinities (NaN allowed)."""
    if not isinstance(values, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(values).__name__}")
    index = values.index
    if not isinstance(index, pd.MultiIndex) or tuple(index.names) != INDEX_NAMES:
        raise DataFormatError(
            f"{name} index must be a (date, ticker) MultiIndex, got names {list(index.names)}"
        )
    try:
        floats = values.astype(np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"{name} must hold numbers, got dtype {values.dtype}") from None
    if np.isinf(floats.to_numpy()).any():
        raise DataFormatError(f"{name} has infinite values")
    return floats


def check_labels(y: object, index: pd.MultiIndex) -> Floats:
    """The labels as a float array in the row order of ``index``; ``y`` must have exactly those
    (date, ticker) rows (NaN labels are allowed: those rows are left out of a fit)."""
    labels = check_long_series("y", y)
    if not labels.index.equals(index):
        missing = int((~index.isin(labels.index)).sum())
        extra = int((~labels.index.isin(index)).sum())
        raise DataFormatError(
            f"y must have the (date, ticker) rows of X in its order: X has {len(index)} rows, "
            f"y has {len(labels)} ({missing} of X missing from y, {extra} not in X)"
        )
    out: Floats = labels.to_numpy(dtype=np.float64, copy=True)
    return out
