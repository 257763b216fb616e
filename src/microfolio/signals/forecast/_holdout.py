"""The validation residual dispersion that the linear and boosted models report as uncertainty.

Of the training dates, the last ``fraction`` form a validation block; the inner training set is
the dates before it less a gap of ``horizon`` sessions (so no inner-training label overlaps a
validation label). A fresh model fitted on the inner set predicts the validation block, and the
root mean squared residual there is the model's uncertainty ``u``. Too few dates for both sides
gives NaN (the caller then reports "no edge": ``u`` equal to the label scale).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["holdout_rmse"]

Floats = npt.NDArray[np.float64]

#: the fewest dates each side of the gap must have
_MIN_DATES = 5


def holdout_rmse(
    fit_predict: Callable[[Floats, Floats, Floats], Floats],
    features: Floats,
    labels: Floats,
    dates: npt.NDArray[np.datetime64],
    fraction: float,
    horizon: int,
) -> float:
    """RMSE on the validation block of a model fitted on the inner block (see the module).

    ``fit_predict(x_fit, y_fit, x_valid)`` fits a fresh model and returns its predictions.
    """
    if fraction <= 0.0:
        return float("nan")
    days = np.unique(dates)
    n_valid = int(np.ceil(fraction * len(days)))
    n_inner = len(days) - n_valid - horizon
    if n_valid < _MIN_DATES or n_inner < _MIN_DATES:
        return float("nan")
    inner = dates < days[n_inner]
    valid = dates >= days[len(days) - n_valid]
    if inner.sum() < 2 or not valid.any():
        return float("nan")
    predicted = fit_predict(features[inner], labels[inner], features[valid])
    return float(np.sqrt(np.mean(np.square(labels[valid] - predicted))))
