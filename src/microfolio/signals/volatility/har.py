"""HAR-RV: the heterogeneous autoregressive model of realised variance (Corsi 2009).

Tomorrow's variance proxy is regressed by least squares on the proxy averaged over the last
day, week and month (``lags`` = 1, 5 and 22 sessions)::

    v[t+1] = b0 + b_1 v[t] + b_5 mean(v[t-4 .. t]) + b_22 mean(v[t-21 .. t]) + error

``v`` is the daily variance proxy: squared returns by default, or a range estimator from
:func:`~microfolio.signals.volatility.proxies.range_variance` passed as ``variance_proxy``.
A range proxy misses the overnight gap, so forecasts are multiplied by ``scale_`` =
``sum(r**2) / sum(v)`` over the fit sample (Hansen & Lunde 2005); for squared returns it is 1.

By default (``positive=True``) the intercept and coefficients are constrained to be
non-negative (non-negative least squares): on daily squared returns, plain OLS often gives the
daily lag a negative weight, and the day after a huge move it then forecasts almost no variance
(on VTI, weekly origins 2007-2012, OLS scores a mean QLIKE of 5.0 against 1.5 constrained,
most of the gap from the floored forecast of 2009-01-20). ``positive=False`` is Corsi's
unconstrained OLS.

Multi-step forecasts iterate the regression, feeding each forecast back as a proxy value (the
conditional mean of a linear model). An unconstrained HAR can forecast a negative variance;
forecasts are floored at ``floor_fraction`` times the sample's mean proxy.
``update`` keeps the coefficients and reads the latest lags from the new history.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import nnls

from microfolio.errors import InvariantError
from microfolio.signals.volatility._checks import check_count, check_unit_interval
from microfolio.signals.volatility.base import VolatilityForecaster

__all__ = ["HarVol"]

Floats = npt.NDArray[np.float64]

#: regression rows required beyond the longest lag
_SPARE_ROWS = 50


class HarVol(VolatilityForecaster):
    """HAR-RV volatility (Corsi 2009) fitted by (non-negative) least squares on a daily
    variance proxy.

    Learned state: ``intercept_`` and ``coef_`` (a Series indexed by lag length) in proxy units,
    ``scale_`` (proxy to close-to-close variance), ``floor_`` (smallest daily variance forecast,
    proxy units), ``recent_`` (the last ``max(lags)`` proxy values) and ``r_squared_``.
    """

    uses_variance_proxy = True

    intercept_: float
    coef_: pd.Series
    scale_: float
    floor_: float
    recent_: Floats
    r_squared_: float

    def __init__(
        self, lags: Sequence[int] = (1, 5, 22), positive: bool = True, floor_fraction: float = 0.01
    ) -> None:
        self.lags = lags
        self.positive = positive
        self.floor_fraction = floor_fraction

    def min_observations(self) -> int:
        return self._lags()[-1] + _SPARE_ROWS

    def _lags(self) -> tuple[int, ...]:
        lags: object = self.lags
        if isinstance(lags, str) or not isinstance(lags, Sequence) or len(lags) == 0:
            raise InvariantError(f"lags must be a non-empty sequence of integers, got {lags!r}")
        checked = tuple(check_count("lags", lag, 1) for lag in lags)
        if list(checked) != sorted(set(checked)):
            raise InvariantError(f"lags must be distinct and increasing, got {lags!r}")
        return checked

    def _check_params(self) -> None:
        self._lags()
        check_unit_interval("floor_fraction", self.floor_fraction)
        if not isinstance(self.positive, bool):
            raise InvariantError(f"positive must be True or False, got {self.positive!r}")

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        assert proxy is not None  # the base supplies squared returns
        lags = self._lags()
        longest = lags[-1]
        design = _regressors(proxy, lags)[longest - 1 : -1]  # rows t = longest-1 .. n-2
        target = proxy[longest:]  # v[t+1]
        design = np.column_stack([np.ones(len(design)), design])
        if self.positive:
            solution = np.asarray(nnls(design, target)[0], dtype=np.float64)
        else:
            solution = np.asarray(np.linalg.lstsq(design, target)[0], dtype=np.float64)
        if not np.all(np.isfinite(solution)):
            raise InvariantError("HarVol: the regression has non-finite coefficients")
        fitted = design @ solution
        total = float(np.sum(np.square(target - target.mean())))
        residual = float(np.sum(np.square(target - fitted)))
        mean_proxy = float(proxy.mean())
        if mean_proxy <= 0.0:
            raise InvariantError("variance_proxy is zero throughout: there is no variance to model")
        self.intercept_ = float(solution[0])
        self.coef_ = pd.Series(solution[1:], index=pd.Index(lags, name="lag"), name="coef")
        self.scale_ = float(np.sum(np.square(returns)) / np.sum(proxy))
        self.floor_ = float(self.floor_fraction) * mean_proxy
        self.recent_ = proxy[-longest:].copy()
        self.r_squared_ = 1.0 - residual / total if total > 0.0 else 0.0

    def _update(self, returns: Floats, proxy: Floats | None) -> None:
        assert proxy is not None
        self.recent_ = proxy[-len(self.recent_) :].copy()

    def _variance_path(self, horizon: int) -> Floats:
        lags = self.coef_.index.to_numpy()
        coef = self.coef_.to_numpy()
        history = list(self.recent_)
        path = np.empty(horizon)
        for step in range(horizon):
            means = np.array([np.mean(history[-lag:]) for lag in lags])
            value = max(self.intercept_ + float(coef @ means), self.floor_)
            path[step] = value
            history.append(value)
        scaled: Floats = path * self.scale_
        return scaled


def _regressors(proxy: Floats, lags: tuple[int, ...]) -> Floats:
    """Trailing means of ``proxy`` over each lag, one column per lag (NaN where too short)."""
    cumulative = np.concatenate([[0.0], np.cumsum(proxy)])
    columns = []
    for lag in lags:
        column = np.full(len(proxy), np.nan)
        column[lag - 1 :] = (cumulative[lag:] - cumulative[:-lag]) / lag
        columns.append(column)
    return np.column_stack(columns)
