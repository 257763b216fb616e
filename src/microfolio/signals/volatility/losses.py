"""Loss functions for variance forecasts: QLIKE and squared error (Patton 2011).

Both compare a forecast variance ``h`` with a realised variance ``RV`` (a noisy but unbiased
proxy of the true one, such as a sum of squared returns) and are *robust* in Patton's sense:
ranking models by their expected loss against the proxy gives the same order as against the
true variance. QLIKE is the one to rank volatility models by: it penalises under-prediction
more than over-prediction and does not let a few turbulent days dominate, as squared error does.

Inputs are variances (not volatilities), in the same units for both arguments.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from microfolio.errors import DataFormatError

__all__ = ["mse", "qlike", "qlike_loss", "squared_error"]

Floats = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


def _pair(forecast_var: ArrayLike, realised_var: ArrayLike) -> tuple[Floats, Floats]:
    forecast = np.asarray(forecast_var, dtype=np.float64)
    realised = np.asarray(realised_var, dtype=np.float64)
    if forecast.shape != realised.shape:
        raise DataFormatError(
            f"forecast_var and realised_var must have one shape, got {forecast.shape} "
            f"and {realised.shape}"
        )
    if forecast.size == 0:
        raise DataFormatError("forecast_var and realised_var are empty")
    if not np.all(np.isfinite(forecast)) or np.any(forecast <= 0.0):
        raise DataFormatError("forecast_var must be positive and finite")
    if not np.all(np.isfinite(realised)) or np.any(realised < 0.0):
        raise DataFormatError("realised_var must be non-negative and finite")
    return forecast, realised


@overload
def qlike_loss(forecast_var: float, realised_var: float) -> float: ...


@overload
def qlike_loss(forecast_var: ArrayLike, realised_var: ArrayLike) -> Floats | float: ...


def qlike_loss(forecast_var: ArrayLike, realised_var: ArrayLike) -> Floats | float:
    """QLIKE loss per observation, as normalised by Patton (2011, eq. 24 with b = -2)::

        L(h, RV) = RV / h - log(RV / h) - 1

    It is zero exactly when ``h == RV`` and positive otherwise. ``RV == 0`` gives ``+inf``
    (the log is undefined): score such observations apart (the walk-forward evaluator
    excludes them). Scalars in, a float out; arrays in, an array out.
    """
    forecast, realised = _pair(forecast_var, realised_var)
    ratio = realised / forecast
    with np.errstate(divide="ignore"):
        loss = ratio - np.log(ratio) - 1.0
    return float(loss) if loss.ndim == 0 else loss


@overload
def squared_error(forecast_var: float, realised_var: float) -> float: ...


@overload
def squared_error(forecast_var: ArrayLike, realised_var: ArrayLike) -> Floats | float: ...


def squared_error(forecast_var: ArrayLike, realised_var: ArrayLike) -> Floats | float:
    """Squared error per observation, ``(RV - h)**2`` (in squared variance units)."""
    forecast, realised = _pair(forecast_var, realised_var)
    loss = np.square(realised - forecast)
    return float(loss) if loss.ndim == 0 else loss


def qlike(forecast_var: ArrayLike, realised_var: ArrayLike) -> float:
    """Mean QLIKE loss, ``mean(RV / h - log(RV / h) - 1)`` (Patton 2011); see :func:`qlike_loss`."""
    return float(np.mean(qlike_loss(forecast_var, realised_var)))


def mse(forecast_var: ArrayLike, realised_var: ArrayLike) -> float:
    """Mean squared error of variance forecasts, ``mean((RV - h)**2)``."""
    return float(np.mean(squared_error(forecast_var, realised_var)))
