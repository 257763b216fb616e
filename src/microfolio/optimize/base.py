"""The optimiser contract: returns (or moments) in, weights plus an explicit cash weight out.

Every optimiser follows the scikit-learn estimator contract: parameters in ``__init__`` (stored
as given), work in ``fit``, learned state in attributes ending in ``_``, ``fit`` returns self.

After ``fit``:
- ``weights_``: a Series of asset weights indexed by ticker;
- ``cash_``: the cash weight (weights_.sum() + cash_ == 1);
- ``fallback_chain_``: every path tried, in order, and how it ended, e.g.
  ``("active_set: ok",)`` or ``("cvxpy:CLARABEL: infeasible", "cvxpy:OSQP: ok")`` or
  ``("max_sharpe: every expected return is below the risk-free rate", "fallback:min_variance: ok")``;
- ``solver_``: the path that produced the weights;
- ``mu_`` (Series or None) and ``covariance_`` (DataFrame): the annualised moments used.

``explain()`` gives the ex-ante expected return, volatility, Sharpe and risk contributions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, clone

from microfolio.domain import TargetPortfolio
from microfolio.errors import DataFormatError, InvariantError
from microfolio.estimate import (
    CovarianceEstimator,
    ExpectedReturnsEstimator,
    HistoricalMean,
    SampleCovariance,
    check_returns,
)

__all__ = ["BaseOptimizer", "PortfolioExplanation", "Solution"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Solution:
    """What a solve returns: asset weights (aligned with the tickers), cash, and the path."""

    weights: Floats
    cash: float
    solver: str
    chain: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class PortfolioExplanation:
    """Ex-ante figures of a fitted portfolio (annualised)."""

    expected_return: float | None
    volatility: float
    sharpe: float | None
    risk_contributions: pd.Series

    def to_dict(self) -> dict[str, object]:
        return {
            "expected_return": self.expected_return,
            "volatility": self.volatility,
            "sharpe": self.sharpe,
            "risk_contributions": {str(k): float(v) for k, v in self.risk_contributions.items()},
        }


def _symmetric(sigma: Floats) -> bool:
    """Whether ``sigma`` is symmetric, tested as ``S v == S' v`` for a fixed dense ``v``: two
    matrix-vector products instead of a full transpose (a sanity check on inputs, not a proof)."""
    if sigma.size == 0:
        return True
    v = np.cos(np.arange(sigma.shape[0]) * 0.7071) + 1.5
    left, right = sigma @ v, v @ sigma
    scale = float(np.abs(sigma).max()) * float(np.abs(v).sum())
    return float(np.abs(left - right).max()) <= 1e-9 * max(scale, 1e-300)


class BaseOptimizer(BaseEstimator):  # type: ignore[misc]
    """Base of every optimiser. Subclasses implement ``_solve`` and declare ``needs_mu``.

    Subclasses that estimate moments take ``mu_estimator`` and ``cov_estimator`` parameters
    (None means HistoricalMean() and SampleCovariance()) and ``risk_free_rate`` (annual).
    """

    #: whether the method uses expected returns (min variance, HRP and ERC do not)
    needs_mu: ClassVar[bool] = True
    #: the method's name as the CLI and TargetPortfolio know it
    method: ClassVar[str] = "base"

    weights_: pd.Series
    cash_: float
    fallback_chain_: tuple[str, ...]
    solver_: str
    mu_: pd.Series | None
    covariance_: pd.DataFrame

    # -- estimation -----------------------------------------------------------------------------

    def _mu_estimator(self) -> ExpectedReturnsEstimator:
        given = getattr(self, "mu_estimator", None)
        return HistoricalMean() if given is None else clone(given)

    def _cov_estimator(self) -> CovarianceEstimator:
        given = getattr(self, "cov_estimator", None)
        return SampleCovariance() if given is None else clone(given)

    def _risk_free(self) -> float:
        return float(getattr(self, "risk_free_rate", 0.0))

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        """Estimate the moments from periodic ``returns`` (rows: dates, columns: tickers), then
        solve."""
        returns = check_returns(returns)
        cov = self._cov_estimator().fit(returns).covariance_
        mu = self._mu_estimator().fit(returns).mu_ if self.needs_mu else None
        return self.fit_moments(cov, mu)

    def fit_moments(self, cov: pd.DataFrame, mu: pd.Series | None = None) -> Self:
        """Solve from given annualised moments (for example a Black-Litterman posterior)."""
        tickers = [str(c) for c in cov.columns.tolist()]
        if not cov.index.equals(cov.columns):
            raise DataFormatError("covariance index and columns must be the same tickers")
        sigma = cov.to_numpy(dtype=float)
        if not np.isfinite(sigma).all():
            raise DataFormatError("covariance has missing or infinite entries")
        if not _symmetric(sigma):
            raise DataFormatError("covariance is not symmetric")
        mean: Floats | None = None
        if self.needs_mu:
            if mu is None:
                raise DataFormatError(f"{self.method} needs expected returns (mu)")
            missing = sorted(set(tickers) - {str(t) for t in mu.index.tolist()})
            if missing:
                raise DataFormatError(f"expected returns missing for {', '.join(missing)}")
            mean = mu.reindex(tickers).to_numpy(dtype=float)
            if not np.isfinite(mean).all():
                raise DataFormatError("expected returns have missing or infinite values")
        solution = self._solve(mean, sigma, tickers)
        total = float(solution.weights.sum()) + solution.cash
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise InvariantError(f"{self.method}: weights plus cash sum to {total:.8f}, not 1")
        self.weights_ = pd.Series(solution.weights, index=tickers, name="weight")
        self.cash_ = float(solution.cash)
        self.fallback_chain_ = solution.chain
        self.solver_ = solution.solver
        self.mu_ = None if mean is None else pd.Series(mean, index=tickers)
        self.covariance_ = pd.DataFrame(sigma, index=tickers, columns=tickers)
        return self

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        raise NotImplementedError

    # -- explanation ----------------------------------------------------------------------------

    def explain(self) -> PortfolioExplanation:
        w = self.weights_.to_numpy()
        sigma = self.covariance_.to_numpy()
        marginal = sigma @ w
        variance = float(w @ marginal)
        volatility = math.sqrt(max(variance, 0.0))
        contributions = w * marginal / variance if variance > 0 else np.zeros_like(w)
        rf = self._risk_free()
        expected = None
        sharpe = None
        if self.mu_ is not None:
            expected = float(w @ self.mu_.to_numpy()) + self.cash_ * rf
            sharpe = (expected - rf) / volatility if volatility > 0 else None
        return PortfolioExplanation(
            expected_return=expected,
            volatility=volatility,
            sharpe=sharpe,
            risk_contributions=pd.Series(contributions, index=self.weights_.index),
        )

    def to_target(self, as_of: date) -> TargetPortfolio:
        """The fitted weights as a TargetPortfolio (negligible weights dropped)."""
        weights = {str(t): float(w) for t, w in self.weights_.items() if abs(w) > 1e-12}
        return TargetPortfolio(
            as_of=as_of,
            weights=weights,
            cash=self.cash_,
            method=self.method,
            fallback_chain=self.fallback_chain_,
        )
