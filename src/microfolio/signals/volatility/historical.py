"""The naive benchmark: one constant volatility, the root mean squared return of the fit sample.

Every serious model should beat it out of sample. ``update`` keeps the fitted variance (it is
the model's only parameter), so in a walk-forward run the forecast changes only at refits; fit
once and never refit (``refit_every`` longer than the run) for the constant full-sample-at-start
benchmark.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from microfolio.signals.volatility.base import VolatilityForecaster

__all__ = ["HistoricalVol"]

Floats = npt.NDArray[np.float64]


class HistoricalVol(VolatilityForecaster):
    """Constant volatility ``sqrt(mean(r**2))`` of the fit sample (zero mean, like the target).

    Learned state: ``variance_``, the daily variance.
    """

    variance_: float

    def __init__(self) -> None:
        pass

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        self.variance_ = float(np.mean(np.square(returns)))

    def _update(self, returns: Floats, proxy: Floats | None) -> None:
        """Keep the fitted variance: a refit is the only thing that changes it."""

    def _variance_path(self, horizon: int) -> Floats:
        return np.full(horizon, self.variance_)
