"""Expected-return estimators: ``fit(returns)`` sets ``mu_``, annualised, one value per ticker.

* :class:`HistoricalMean` and :class:`EWMAMean`: (weighted) averages of past returns; missing
  returns are skipped asset by asset (available cases).
* :class:`EquilibriumReturns`: the returns that make given market (or benchmark) weights optimal,
  the neutral prior of Black-Litterman.
* :class:`ExternalReturns`: forecasts made elsewhere (the AI signals), checked and aligned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Self

import numpy as np
import pandas as pd
from sklearn.base import clone

from microfolio.checks import check_positive
from microfolio.errors import DataFormatError, InvariantError
from microfolio.estimate.base import (
    CovarianceEstimator,
    ExpectedReturnsEstimator,
    check_returns,
)
from microfolio.estimate.covariance import SampleCovariance
from microfolio.estimate.moments import ewma_weights, mean_available
from microfolio.estimate.returns import TRADING_DAYS, annualise_mean

__all__ = ["EWMAMean", "EquilibriumReturns", "ExternalReturns", "HistoricalMean"]


class HistoricalMean(ExpectedReturnsEstimator):
    """The arithmetic mean of periodic returns, annualised (missing returns skipped)."""

    def __init__(self, periods_per_year: int = TRADING_DAYS) -> None:
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        per_year = check_positive("periods_per_year", self.periods_per_year)
        values = check_returns(returns).to_numpy(dtype=np.float64)
        mean = annualise_mean(mean_available(values), per_year)
        self.mu_ = pd.Series(mean, index=returns.columns)
        return self


class EWMAMean(ExpectedReturnsEstimator):
    """Exponentially weighted mean of periodic returns, annualised (missing returns skipped).

    Row ``t`` of ``T`` weighs ``0.5 ** ((T - 1 - t) / half_life)`` (``half_life`` in rows), the
    weights of the rows where an asset has a return are normalised to one; ``half_life=inf``
    gives :class:`HistoricalMean`. The default of 252 sessions (a year) is longer than the
    covariance's because means are far noisier than covariances.
    """

    def __init__(self, half_life: float = 252.0, periods_per_year: int = TRADING_DAYS) -> None:
        self.half_life = half_life
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        half_life = check_positive("half_life", self.half_life, allow_inf=True)
        per_year = check_positive("periods_per_year", self.periods_per_year)
        values = check_returns(returns).to_numpy(dtype=np.float64)
        mean = mean_available(values, ewma_weights(len(values), half_life))
        self.mu_ = pd.Series(annualise_mean(mean, per_year), index=returns.columns)
        return self


class EquilibriumReturns(ExpectedReturnsEstimator):
    """Implied (reverse-optimised) equilibrium returns ``pi = delta Sigma w + rf``.

    ``w`` are market or benchmark weights (a mapping or Series by ticker covering exactly the
    tickers of the returns; scaled to sum to one, so capitalisations can be given directly;
    None means equal weights), ``delta`` is ``risk_aversion`` and ``Sigma`` the annualised
    covariance from ``cov_estimator`` (None means :class:`SampleCovariance`). ``delta Sigma w``
    is the excess return that makes ``w`` the mean-variance optimum of an investor with that risk
    aversion; ``risk_free_rate`` (annual) is added to give total returns comparable with the
    other estimators. ``delta = 2.5`` is the world-average value of He & Litterman (1999), "The
    intuition behind Black-Litterman model portfolios" (Goldman Sachs), after Black & Litterman
    (1992), "Global portfolio optimization", Financial Analysts Journal 48(5).

    After ``fit``: ``mu_`` (pi), ``weights_`` (the normalised ``w``), ``covariance_`` (``Sigma``)
    and ``cov_estimator_`` (the fitted covariance estimator, with its repair report).
    """

    weights_: pd.Series
    covariance_: pd.DataFrame
    cov_estimator_: CovarianceEstimator

    def __init__(
        self,
        weights: Mapping[str, float] | pd.Series | None = None,
        risk_aversion: float = 2.5,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
    ) -> None:
        self.weights = weights
        self.risk_aversion = risk_aversion
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        delta = check_positive("risk_aversion", self.risk_aversion)
        risk_free = _finite("risk_free_rate", self.risk_free_rate)
        columns = check_returns(returns).columns
        weights = _market_weights(self.weights, columns)
        estimator = SampleCovariance() if self.cov_estimator is None else clone(self.cov_estimator)
        sigma = estimator.fit(returns).covariance_
        implied = delta * (sigma.to_numpy() @ weights.to_numpy()) + risk_free
        self.mu_ = pd.Series(implied, index=columns)
        self.weights_ = weights
        self.covariance_ = sigma
        self.cov_estimator_ = estimator
        return self


class ExternalReturns(ExpectedReturnsEstimator):
    """Expected returns forecast elsewhere (annualised, by ticker), passed through after checks.

    ``fit`` aligns ``forecasts`` with the columns of the returns: tickers the returns do not have
    are ignored; tickers without a forecast (absent or NaN) are refused unless ``fill`` is given,
    a number or an expected-returns estimator fitted on the same returns (for example
    ``HistoricalMean()``). ``filled_`` lists the tickers that took the fill.
    """

    filled_: tuple[str, ...]

    def __init__(
        self,
        forecasts: pd.Series | Mapping[str, float],
        fill: float | ExpectedReturnsEstimator | None = None,
    ) -> None:
        self.forecasts = forecasts
        self.fill = fill

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        columns = check_returns(returns).columns
        forecasts = _by_ticker("forecasts", self.forecasts)
        if np.isinf(forecasts.to_numpy()).any():
            raise DataFormatError("forecasts contain infinite values")
        mu = forecasts.reindex(columns)
        gaps = mu.index[mu.isna().to_numpy()]
        if len(gaps) and self.fill is None:
            raise DataFormatError(
                f"no forecast for {', '.join(map(str, gaps))}; pass fill= to cover them"
            )
        if len(gaps):
            if isinstance(self.fill, ExpectedReturnsEstimator):
                mu.loc[gaps] = clone(self.fill).fit(returns).mu_.loc[gaps]
            else:
                mu.loc[gaps] = _finite("fill", self.fill)
        self.mu_ = mu
        self.filled_ = tuple(map(str, gaps))
        return self


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise InvariantError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _by_ticker(name: str, values: object) -> pd.Series:
    """A float Series by ticker from a Series or mapping; refused when labels repeat."""
    if not isinstance(values, pd.Series | Mapping):
        raise InvariantError(f"{name} must be a Series or mapping by ticker, got {values!r}")
    try:
        series = pd.Series(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"{name} must be numbers by ticker") from None
    if not series.index.is_unique:
        raise DataFormatError(f"{name} name a ticker twice")
    return series


def _market_weights(
    weights: pd.Series | Mapping[str, float] | None, columns: pd.Index
) -> pd.Series:
    """Weights aligned with ``columns`` and scaled to sum to one (None: equal)."""
    if weights is None:
        return pd.Series(1.0 / len(columns), index=columns)
    given = _by_ticker("weights", weights)
    missing = columns.difference(given.index)
    extra = given.index.difference(columns)
    if len(missing):
        raise DataFormatError(f"weights missing for {', '.join(map(str, missing))}")
    if len(extra):
        raise DataFormatError(
            f"weights name tickers not in the returns: {', '.join(map(str, extra))}"
        )
    aligned = given.reindex(columns)
    if not np.isfinite(aligned.to_numpy()).all():
        raise DataFormatError("weights have missing or infinite values")
    total = float(aligned.sum())
    if not total > 0.0:
        raise DataFormatError(f"weights must sum to a positive number, got {total}")
    return aligned / total
