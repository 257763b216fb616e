"""The mean-variance optimisers: min variance, max Sharpe, target volatility, target return and
the mean-variance utility.

All take ``constraints`` (None: long-only, fully invested), ``mu_estimator``, ``cov_estimator``,
``risk_free_rate`` (annual), ``solver`` ("auto" | "fast" | "cvxpy") and ``fallback``; see
:mod:`microfolio.optimize.mv_base` for the path they take and how they degrade, and
:mod:`microfolio.optimize.solvers.cvx` for how costs enter each objective.

Returns are those of the whole portfolio: the assets, the cash (``min_cash``) at the
risk-free rate, less trading costs when there are any; so ``TargetReturn(0.06)`` asks for
``mu'w + cash * rf - costs >= 6%``, the figure ``explain()`` reports (before costs).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from microfolio.errors import InfeasibleError, InvariantError
from microfolio.estimate import CovarianceEstimator, ExpectedReturnsEstimator
from microfolio.optimize.constraints import Constraints, ResolvedConstraints
from microfolio.optimize.mv_base import (
    Found,
    MeanVarianceOptimizer,
    UnattainableError,
    percent,
    require_mu,
)
from microfolio.optimize.solvers import cvx, fast
from microfolio.optimize.solvers.active_set import ActiveSetError

__all__ = [
    "MaxSharpe",
    "MeanVarianceUtility",
    "MinVariance",
    "TargetReturn",
    "TargetVolatility",
]

Floats = npt.NDArray[np.float64]


def _close(a: float, b: float) -> float:
    """A tolerance for comparing two returns or volatilities."""
    return 1e-12 * max(1.0, abs(a), abs(b))


class MinVariance(MeanVarianceOptimizer):
    """The least-variance portfolio: ``min w'Sw`` (plus trading costs when there are any, as
    ``1/2 w'Sw + c'|w - current|``). Needs no expected returns; falls back to equal weights."""

    needs_mu: ClassVar[bool] = False
    method: ClassVar[str] = "min_variance"

    def __init__(
        self,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "equal_weight",
    ) -> None:
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        return Found.from_fast(fast.min_variance(cov, rc))

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        return Found.from_chain(cvx.min_variance(cov, rc, chain))


class MeanVarianceUtility(MeanVarianceOptimizer):
    """``max mu'w - risk_aversion/2 w'Sw - c'|w - current|`` (Markowitz utility)."""

    method: ClassVar[str] = "utility"

    def __init__(
        self,
        risk_aversion: float,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "min_variance",
    ) -> None:
        self.risk_aversion = risk_aversion
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        if not (math.isfinite(self.risk_aversion) and self.risk_aversion > 0):
            raise InvariantError(f"risk_aversion must be > 0, got {self.risk_aversion}")

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        return Found.from_fast(fast.utility(require_mu(mu), cov, rc, self.risk_aversion))

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        return Found.from_chain(cvx.utility(require_mu(mu), cov, rc, self.risk_aversion, chain))


class MaxSharpe(MeanVarianceOptimizer):
    """The tangency portfolio: ``max ((mu - rf)'w - costs) / sqrt(w'Sw)``.

    Fast path: the homogenised QP ``min y'Sy  s.t.  (mu - rf)'y = 1`` on the scaled bounds,
    by the active-set method (the closed form ``S^-1 (mu - rf)`` normalised when no bound
    binds). With costs, the exact homogenisation of the net-of-cost ratio (cvxpy path).
    When no allowed portfolio earns more than the risk-free rate the ratio has no meaningful
    maximum: it falls back (min variance by default) and the chain says why.
    """

    method: ClassVar[str] = "max_sharpe"

    def __init__(
        self,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "min_variance",
    ) -> None:
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        best = float(require_mu(mu).max())
        if best <= self.risk_free_rate:
            raise UnattainableError(
                f"every expected return (max {percent(best)}) is at or below the risk-free "
                f"rate {percent(self.risk_free_rate)}"
            )

    def _below_rf(self, best: float) -> UnattainableError:
        return UnattainableError(
            "no portfolio the constraints allow has an expected return above the risk-free "
            f"rate {percent(self.risk_free_rate)} (the most is {percent(best)})"
        )

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        excess = require_mu(mu) - self.risk_free_rate
        try:
            top = fast.max_return(excess, cov, rc)
        except ActiveSetError:  # an unbounded box: the excess return is unbounded too
            pass
        else:
            if float(excess @ top) <= 0.0:
                raise self._below_rf(self._net_return(require_mu(mu), rc, top))
        return Found.from_fast(fast.max_sharpe(excess, cov, rc))

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        mean = require_mu(mu)
        outcome = cvx.max_sharpe(mean - self.risk_free_rate, cov, rc, chain)
        if outcome.weights is None and outcome.infeasible:
            top = cvx.max_return(mean, cov, rc, [])
            if top.weights is not None:
                best = self._net_return(mean, rc, top.weights)
                if best <= self.risk_free_rate + _close(best, self.risk_free_rate):
                    raise self._below_rf(best)
        return Found.from_chain(outcome)


class TargetReturn(MeanVarianceOptimizer):
    """The least-variance portfolio whose expected return is at least ``target_return``
    (annual, whole portfolio, net of costs). If the target is above what the constraints allow,
    it falls back (min variance by default) and the chain gives the highest attainable."""

    method: ClassVar[str] = "target_return"

    def __init__(
        self,
        target_return: float,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "min_variance",
    ) -> None:
        self.target_return = target_return
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        if not math.isfinite(self.target_return):
            raise InvariantError(f"target_return must be finite, got {self.target_return}")

    def _asset_goal(self, rc: ResolvedConstraints) -> float:
        """The target on ``mu'w - costs``: the cash earns the risk-free rate."""
        return self.target_return - (1.0 - rc.budget) * self.risk_free_rate

    def _out_of_reach(self, best: float) -> UnattainableError:
        return UnattainableError(
            f"the target {percent(self.target_return)} is above the highest expected return "
            f"the constraints allow, {percent(best)}",
            InfeasibleError,
        )

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        mean, goal = require_mu(mu), self._asset_goal(rc)
        low = fast.min_variance(cov, rc)
        if float(mean @ low.weights) >= goal - _close(goal, 0.0):
            return Found.from_fast(low)  # the return constraint does not bind
        top = fast.max_return(mean, cov, rc)
        best = float(mean @ top)
        if goal > best + _close(goal, best):
            raise self._out_of_reach(self._net_return(mean, rc, top))
        if goal >= best - _close(goal, best):
            return Found(top, "active_set", "the max-return portfolio")
        point = fast.target_return(mean, cov, rc, goal, state=low.state, between=(low.weights, top))
        total = low.iterations + point.iterations
        return Found(point.weights, "active_set", f"{total} iterations")

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        mean, goal = require_mu(mu), self._asset_goal(rc)
        outcome = cvx.target_return(mean, cov, rc, goal, chain)
        if outcome.weights is None and outcome.infeasible:
            top = cvx.max_return(mean, cov, rc, [])
            if top.weights is not None:
                best = self._net_return(mean, rc, top.weights)
                if self.target_return > best:
                    raise self._out_of_reach(best)
        return Found.from_chain(outcome)


class TargetVolatility(MeanVarianceOptimizer):
    """The highest expected return (net of costs) with volatility at most
    ``target_volatility`` (annual). If even the minimum-variance portfolio is more volatile
    than the target, it falls back (min variance by default) and the chain says so.

    Fast path: the utility path ``argmin 1/2 w'Sw - t mu'w`` is piecewise affine in ``t``;
    a safeguarded Newton search on it hits the target exactly (see
    :func:`microfolio.optimize.solvers.fast.target_volatility`).
    """

    method: ClassVar[str] = "target_vol"

    def __init__(
        self,
        target_volatility: float,
        constraints: Constraints | None = None,
        mu_estimator: ExpectedReturnsEstimator | None = None,
        cov_estimator: CovarianceEstimator | None = None,
        risk_free_rate: float = 0.0,
        solver: str = "auto",
        fallback: str | None = "min_variance",
    ) -> None:
        self.target_volatility = target_volatility
        self.constraints = constraints
        self.mu_estimator = mu_estimator
        self.cov_estimator = cov_estimator
        self.risk_free_rate = risk_free_rate
        self.solver = solver
        self.fallback = fallback

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        if not (math.isfinite(self.target_volatility) and self.target_volatility > 0):
            raise InvariantError(f"target_volatility must be > 0, got {self.target_volatility}")

    def _too_low(self, lowest: float) -> UnattainableError:
        return UnattainableError(
            f"even the minimum-variance portfolio has volatility {percent(lowest)}, above the "
            f"target {percent(self.target_volatility)}",
            InfeasibleError,
        )

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        mean, target = require_mu(mu), self.target_volatility
        low = fast.min_variance(cov, rc)
        lowest = math.sqrt(max(float(low.weights @ cov @ low.weights), 0.0))
        if lowest > target * (1.0 + 1e-9):
            raise self._too_low(lowest)
        if lowest >= target * (1.0 - 1e-12):
            return Found.from_fast(low)
        top = fast.max_return(mean, cov, rc)
        if float(top @ cov @ top) <= target * target:
            return Found(top, "active_set", "the max-return portfolio is within the target")
        point = fast.target_volatility(mean, cov, rc, target, low)
        total = low.iterations + point.iterations
        return Found(point.weights, "active_set", f"{total} iterations")

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        mean = require_mu(mu)
        outcome = cvx.target_volatility(mean, cov, rc, self.target_volatility, chain)
        if outcome.weights is None and outcome.infeasible:
            low = cvx.min_variance(cov, rc, [], with_costs=False)
            if low.weights is not None:
                lowest = math.sqrt(max(float(low.weights @ cov @ low.weights), 0.0))
                if lowest > self.target_volatility * (1.0 - 1e-9):
                    raise self._too_low(lowest)
        return Found.from_chain(outcome)
