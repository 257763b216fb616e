"""RiskMetrics exponentially weighted volatility (J.P. Morgan/Reuters, 1996).

The daily variance follows ``s2[t+1] = decay * s2[t] + (1 - decay) * r[t]**2`` (zero mean),
started from ``s2[0]``, the mean squared return of the first ``seed_window`` sessions, and run
over every return given. The forecast is flat: each of the next sessions has variance
``s2[T+1]`` (the integrated, unit-persistence model), so the horizon does not change the vol.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from microfolio.signals.volatility._checks import check_count, check_unit_interval
from microfolio.signals.volatility.base import VolatilityForecaster

__all__ = ["EWMAVol"]

Floats = npt.NDArray[np.float64]


def ewma_variance(returns: Floats, decay: float, seed: float) -> Floats:
    """The filtered daily variances ``s2[1] .. s2[T+1]`` from ``s2[0] = seed`` (the last is the
    next-session forecast)."""
    squared = np.square(returns)
    filtered: Floats = lfilter([1.0 - decay], [1.0, -decay], squared, zi=[decay * seed])[0]
    return filtered


class EWMAVol(VolatilityForecaster):
    """Exponentially weighted moving-average volatility; ``decay`` is RiskMetrics' lambda.

    Learned state: ``variance_`` (next-session daily variance) and ``seed_variance_``.
    Having no parameters to estimate, ``update`` simply refilters (cheap: one linear filter).
    """

    variance_: float
    seed_variance_: float

    def __init__(self, decay: float = 0.94, seed_window: int = 22) -> None:
        self.decay = decay
        self.seed_window = seed_window

    def _check_params(self) -> None:
        check_unit_interval("decay", self.decay)
        check_count("seed_window", self.seed_window, 1)

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        seed = float(np.square(returns[: int(self.seed_window)]).mean())
        filtered = ewma_variance(returns, float(self.decay), seed)
        self.seed_variance_ = seed
        self.variance_ = float(filtered[-1])

    def _variance_path(self, horizon: int) -> Floats:
        return np.full(horizon, self.variance_)
