"""The efficient frontier: N portfolios from the minimum variance to the maximum return."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import InvariantError
from microfolio.estimate import CovarianceEstimator, ExpectedReturnsEstimator
from microfolio.optimize.constraints import Constraints, ResolvedConstraints
from microfolio.optimize.mv_base import Found, MeanVarianceOptimizer, require_mu
from microfolio.optimize.solvers import cvx, fast

__all__ = ["EfficientFrontier"]

Floats = npt.NDArray[np.float64]


class EfficientFrontier(MeanVarianceOptimizer):
    """``n_points`` efficient portfolios, target returns evenly spaced from the min-variance
    portfolio's to the highest the constraints allow; each is the least-variance portfolio with
    at least that expected return (net of costs).

    Fitted: ``frontier_``, a DataFrame with one row per point (0 = min variance, last = max
    return) and columns ``return`` (annual, whole portfolio: cash at the risk-free rate, net of
    costs), ``volatility``, ``sharpe`` (against the risk-free rate; NaN at zero volatility),
    then one weight column per ticker. ``weights_`` is the point with the highest Sharpe ratio.

    Fast path: one active-set solve per point, each warm-started from the previous point's
    active set (the risk-aversion path traced in order), the end points in closed form or by
    a greedy fill. The first point is plain minimum variance (costs only enter through the
    return constraint).
    """

    method: ClassVar[str] = "efficient_frontier"

    frontier_: pd.DataFrame

    def __init__(
        self,
        n_points: int = 50,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "min_variance",
    ) -> None:
        self.n_points = n_points
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        if not isinstance(self.n_points, int) or self.n_points < 2:
            raise InvariantError(f"n_points must be an integer >= 2, got {self.n_points!r}")
        self.frontier_ = self._table(np.empty((0, len(rc.tickers))), require_mu(mu), None, rc)

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        mean = require_mu(mu)
        low = fast.min_variance(cov, rc)
        top = fast.max_return(mean, cov, rc)
        rows, iterations = fast.frontier(mean, cov, rc, self.n_points, low, top)
        return self._pick(rows, mean, cov, rc, "active_set", f"{iterations} iterations")

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        mean = require_mu(mu)
        low = cvx.min_variance(cov, rc, chain, with_costs=False, tag=" (min variance)")
        top = cvx.max_return(mean, cov, rc, chain, tag=" (max return)")
        if low.weights is None or top.weights is None:
            return None
        start = float(mean @ low.weights) - rc.trading_cost(low.weights)
        end = float(mean @ top.weights) - rc.trading_cost(top.weights)
        goals = np.linspace(start, end, self.n_points)[1:-1]
        if end - start <= 1e-12 * max(1.0, abs(end)):
            middle: list[Floats | None] = [low.weights] * len(goals)
        else:
            middle = cvx.frontier(mean, cov, rc, goals, chain)
        points = [low.weights, *middle, top.weights]
        missing = [i for i, row in enumerate(points) if row is None]
        if missing:
            chain.append(
                f"cvxpy: {len(missing)} frontier points failed on every solver and are left out"
            )
        rows = np.array([row for row in points if row is not None])
        return self._pick(rows, mean, cov, rc, low.solver or "cvxpy", "")

    def _pick(
        self,
        rows: Floats,
        mean: Floats,
        cov: Floats,
        rc: ResolvedConstraints,
        solver: str,
        detail: str,
    ) -> Found:
        self.frontier_ = self._table(rows, mean, cov, rc)
        sharpe = self.frontier_["sharpe"].to_numpy(dtype=float)
        best = int(np.nanargmax(sharpe)) if np.isfinite(sharpe).any() else 0
        return Found(rows[best].copy(), solver, f"{len(rows)} points, {detail}" if detail else "")

    def _table(
        self, rows: Floats, mean: Floats, cov: Floats | None, rc: ResolvedConstraints
    ) -> pd.DataFrame:
        tickers = list(rc.tickers)
        cash = 1.0 - rc.budget
        rf = self.risk_free_rate
        returns = rows @ mean + cash * rf - rows_costs(rows, rc)
        variances = (
            np.einsum("ij,jk,ik->i", rows, cov, rows) if cov is not None else np.zeros(len(rows))
        )
        volatility = np.sqrt(np.maximum(variances, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            sharpe = np.where(volatility > 0, (returns - rf) / volatility, math.nan)
        table = pd.DataFrame(rows, columns=tickers)
        table.insert(0, "sharpe", sharpe)
        table.insert(0, "volatility", volatility)
        table.insert(0, "return", returns)
        return table


def rows_costs(rows: Floats, rc: ResolvedConstraints) -> Floats:
    """The trading cost of each row of weights."""
    return np.asarray(np.abs(rows - rc.start) @ rc.costs, dtype=float)
