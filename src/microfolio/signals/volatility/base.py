"""The volatility forecaster contract: one asset's daily log returns in, annualised vol out.

Every model follows the scikit-learn contract (parameters stored in ``__init__`` as given and
checked in ``fit``; learned state ends in ``_``; ``fit`` and ``update`` return ``self``):

* ``fit(returns, variance_proxy=None)`` estimates the parameters on one asset's **daily log
  returns** (decimal, not percent), a Series ending at the forecast origin ``t``. Nothing after
  the last row is seen, so a forecast made from it is point in time by construction.
* ``update(returns, variance_proxy=None)`` keeps the fitted parameters and only re-filters the
  model's state on a longer (or rolled) history ending at a later origin: the cheap step a
  walk-forward run takes between refits. For a model whose state *is* its fit (EWMA) it refits.
* ``predict(horizon=1)`` is the forecast **annualised volatility over the next ``horizon``
  sessions**: ``sqrt(TRADING_DAYS * mean(daily variance forecast for t+1 .. t+horizon))``, the
  volatility whose square, times ``horizon / TRADING_DAYS``, is the expected sum of squared
  daily returns over the horizon (zero conditional mean).

``variance_proxy`` is an optional per-session daily variance measure known at each session's
close (for example :func:`~microfolio.signals.volatility.proxies.range_variance` from OHLC),
aligned with ``returns``. Only models built on a realised-variance series use it
(``uses_variance_proxy``); they default to squared returns, and the others refuse one.
"""

from __future__ import annotations

import math
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError
from microfolio.estimate import TRADING_DAYS
from microfolio.signals.volatility._checks import check_count, check_returns_series

__all__ = ["VolatilityForecaster", "annualised_vol"]

Floats = npt.NDArray[np.float64]


def annualised_vol(daily_variance_path: Floats) -> float:
    """Annualised volatility over a horizon from its daily variance forecasts (one per session)."""
    return math.sqrt(TRADING_DAYS * float(np.mean(daily_variance_path)))


class VolatilityForecaster(BaseEstimator):  # type: ignore[misc]
    """Base of every volatility model: ``fit`` / ``update`` on daily log returns, ``predict``
    annualised volatility over a horizon. Subclasses implement ``_check_params``, ``_fit``,
    ``_variance_path`` and, when re-filtering is cheaper than refitting, ``_update``.
    """

    #: whether the model reads a realised-variance proxy (squared returns when none is given)
    uses_variance_proxy: ClassVar[bool] = False

    #: number of returns seen by the last ``fit`` or ``update``
    n_observations_: int
    #: index label of the last return seen: the forecast origin
    origin_: object

    # -- the contract ---------------------------------------------------------------------------

    def fit(self, returns: pd.Series, variance_proxy: pd.Series | None = None) -> Self:
        """Estimate the model on ``returns`` (daily log returns up to the origin)."""
        self._check_params()
        values, proxy = self._inputs(returns, variance_proxy)
        self._fit(values, proxy)
        self._mark(returns)
        return self

    def update(self, returns: pd.Series, variance_proxy: pd.Series | None = None) -> Self:
        """Keep the fitted parameters and re-filter the state on ``returns`` (up to a new origin)."""
        self._require_fitted()
        values, proxy = self._inputs(returns, variance_proxy)
        self._update(values, proxy)
        self._mark(returns)
        return self

    def predict(self, horizon: int = 1) -> float:
        """Forecast annualised volatility over the next ``horizon`` sessions."""
        self._require_fitted()
        steps = check_count("horizon", horizon, 1)
        path = self._variance_path(steps)
        if path.shape != (steps,) or not np.all(np.isfinite(path)) or np.any(path <= 0.0):
            raise MicrofolioError(
                f"{type(self).__name__} produced an invalid variance forecast {path!r}"
            )
        return annualised_vol(path)

    # -- hooks ----------------------------------------------------------------------------------

    def min_observations(self) -> int:
        """The fewest returns ``fit`` and ``update`` accept with the current parameters."""
        return 2

    def _check_params(self) -> None:
        """Refuse invalid parameters (called first in ``fit``)."""

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        raise NotImplementedError

    def _update(self, returns: Floats, proxy: Floats | None) -> None:
        self._fit(returns, proxy)

    def _variance_path(self, horizon: int) -> Floats:
        """Daily variance forecasts for sessions ``t+1 .. t+horizon`` (shape ``(horizon,)``)."""
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------------------------

    def _inputs(
        self, returns: pd.Series, variance_proxy: pd.Series | None
    ) -> tuple[Floats, Floats | None]:
        values = check_returns_series(returns, self.min_observations())
        if not self.uses_variance_proxy:
            if variance_proxy is not None:
                raise InvariantError(
                    f"variance_proxy: {type(self).__name__} models returns only, got a "
                    f"{type(variance_proxy).__name__}"
                )
            return values, None
        if variance_proxy is None:
            return values, np.square(values)
        proxy = check_returns_series(variance_proxy, 0, name="variance_proxy")
        if not variance_proxy.index.equals(returns.index):
            raise DataFormatError("variance_proxy index must equal the returns index")
        if np.any(proxy < 0.0):
            raise DataFormatError("variance_proxy has negative values: it must be a variance")
        return values, proxy

    def _mark(self, returns: pd.Series) -> None:
        self.n_observations_ = len(returns)
        self.origin_ = returns.index[-1]

    def _require_fitted(self) -> None:
        if not hasattr(self, "n_observations_"):
            raise MicrofolioError(
                f"{type(self).__name__} is not fitted: call fit(returns) before update or predict"
            )
