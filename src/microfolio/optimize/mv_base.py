"""What every mean-variance optimiser shares: the path it takes and how it degrades.

1. The constraints are resolved against the tickers; a set that admits no portfolio raises
   InfeasibleError with the reason in words (nothing to fall back to: no portfolio exists).
2. The path: ``solver="auto"`` takes the fast dedicated solvers (:mod:`.solvers.fast`, no cvxpy)
   when only per-asset bounds and the budget apply, else the cvxpy chain (CLARABEL, then OSQP,
   then SCS). ``"fast"`` and ``"cvxpy"`` force one (tests, benchmarks). When the fast path does
   not converge, ``"auto"`` goes on to cvxpy.
3. When the objective asks for what no allowed portfolio gives (a target volatility below the
   minimum variance, a target return above the maximum, a Sharpe ratio with no positive excess
   return) the reason is recorded, e.g. ``"max_sharpe: every expected return (max 1.2%) is at
   or below the risk-free rate 2.0%"``.
4. When no path gave weights, the named ``fallback`` portfolio ("min_variance", then
   "equal_weight"; or "equal_weight" alone) is used, and recorded as ``"fallback:NAME: ok"``;
   ``fallback=None`` raises instead (InfeasibleError for a target out of reach,
   OptimizationError otherwise).

Every attempt is in ``fallback_chain_``; ``solver_`` names the one that produced the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from microfolio.errors import InvariantError, MicrofolioError, OptimizationError
from microfolio.optimize.base import BaseOptimizer, Solution
from microfolio.optimize.constraints import Constraints, ResolvedConstraints
from microfolio.optimize.solvers import cvx, fast
from microfolio.optimize.solvers.active_set import ActiveSetError
from microfolio.optimize.solvers.fallback import FALLBACKS, equal_weight

__all__ = [
    "SOLVER_CHOICES",
    "Found",
    "MeanVarianceOptimizer",
    "UnattainableError",
    "percent",
    "require_mu",
]

Floats = npt.NDArray[np.float64]

#: the values of the ``solver`` parameter
SOLVER_CHOICES: tuple[str, ...] = ("auto", "fast", "cvxpy")


class UnattainableError(MicrofolioError):
    """The objective asks for what no allowed portfolio gives; ``error`` is what to raise when
    there is no fallback."""

    def __init__(self, reason: str, error: type[MicrofolioError] = OptimizationError) -> None:
        super().__init__(reason)
        self.error = error


@dataclass(frozen=True, slots=True, eq=False)
class Found:
    """Weights from one path and the name of what produced them."""

    weights: Floats
    solver: str
    detail: str = ""

    @classmethod
    def from_fast(cls, solution: fast.FastSolution) -> Found:
        plural = "" if solution.iterations == 1 else "s"
        return cls(solution.weights, solution.solver, f"{solution.iterations} iteration{plural}")

    @classmethod
    def from_chain(cls, outcome: cvx.ChainOutcome) -> Found | None:
        if outcome.weights is None or outcome.solver is None:
            return None
        return cls(outcome.weights, outcome.solver)


def percent(value: float) -> str:
    return f"{value:.1%}"


def require_mu(mu: Floats | None) -> Floats:
    """The expected returns of a method that needs them (fit_moments refuses None first)."""
    if mu is None:
        raise InvariantError("expected returns are needed")
    return mu


class MeanVarianceOptimizer(BaseOptimizer):
    """Base of the mean-variance family: subclasses implement ``_fast`` and ``_cvxpy``.

    Parameters shared by every subclass: ``constraints`` (None: long-only, fully invested),
    ``mu_estimator``, ``cov_estimator``, ``risk_free_rate`` (annual), ``solver`` ("auto",
    "fast" or "cvxpy") and ``fallback`` ("min_variance", "equal_weight" or None).
    """

    constraints: Constraints | None
    risk_free_rate: float
    solver: str
    fallback: str | None

    # -- the paths (subclasses) ------------------------------------------------------------------

    def _fast(self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints) -> Found:
        raise NotImplementedError

    def _cvxpy(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        """Weights from the cvxpy chain, or None (the chain records why)."""
        raise NotImplementedError

    def _check(self, mu: Floats | None, rc: ResolvedConstraints) -> None:
        """Refuse bad parameters or an objective that cannot be met, before any solve."""

    # -- the shared flow -------------------------------------------------------------------------

    def _constraints(self) -> Constraints:
        return Constraints() if self.constraints is None else self.constraints

    def _check_parameters(self) -> None:
        if self.solver not in SOLVER_CHOICES:
            raise InvariantError(
                f"{self.method}: solver must be one of {', '.join(SOLVER_CHOICES)}, "
                f"got {self.solver!r}"
            )
        if self.fallback is not None and self.fallback not in FALLBACKS:
            raise InvariantError(
                f"{self.method}: fallback must be one of {', '.join(FALLBACKS)} or None, "
                f"got {self.fallback!r}"
            )
        if not np.isfinite(self.risk_free_rate):
            raise InvariantError(f"{self.method}: risk_free_rate must be finite")

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        self._check_parameters()
        constraints = self._constraints()
        rc = constraints.resolve(tickers)
        if self.solver == "fast" and not rc.bounds_only:
            raise OptimizationError(
                f"{self.method}: solver='fast' takes only per-asset bounds and the budget; "
                "these constraints also have group limits, a turnover cap or costs"
            )
        chain: list[str] = []
        found: Found | None = None
        try:
            self._check(mu, rc)
            found = self._run(mu, cov, rc, chain)
        except UnattainableError as exc:
            chain.append(f"{self.method}: {exc}")
            if self.fallback is None:
                raise exc.error(f"{self.method}: {exc}") from None
        if found is None:
            found = self._fall_back(cov, rc, chain)
        weights = np.asarray(found.weights, dtype=float)
        return Solution(
            weights=weights, cash=constraints.min_cash, solver=found.solver, chain=tuple(chain)
        )

    def _run(
        self, mu: Floats | None, cov: Floats, rc: ResolvedConstraints, chain: list[str]
    ) -> Found | None:
        use_fast = self.solver == "fast" or (self.solver == "auto" and rc.bounds_only)
        if use_fast:
            try:
                found = self._fast(mu, cov, rc)
            except ActiveSetError as exc:
                chain.append(f"active_set: {exc}")
                if self.solver == "fast":
                    return None
            else:
                chain.append(
                    f"{found.solver}: ok ({found.detail})"
                    if found.detail
                    else f"{found.solver}: ok"
                )
                return found
        return self._cvxpy(mu, cov, rc, chain)

    def _fall_back(self, cov: Floats, rc: ResolvedConstraints, chain: list[str]) -> Found:
        if self.fallback is None:
            raise OptimizationError(
                f"{self.method}: no solver produced weights and there is no fallback "
                f"({'; '.join(chain)})"
            )
        names = [self.fallback] + (["equal_weight"] if self.fallback != "equal_weight" else [])
        for name in names:
            weights = self._fallback_weights(name, cov, rc)
            if weights is not None and rc.violation(weights) <= cvx.ACCEPT:
                chain.append(f"fallback:{name}: ok")
                return Found(weights, f"fallback:{name}")
            chain.append(f"fallback:{name}: failed")
        raise OptimizationError(
            f"{self.method}: no solver and no fallback produced weights ({'; '.join(chain)})"
        )

    @staticmethod
    def _fallback_weights(name: str, cov: Floats, rc: ResolvedConstraints) -> Floats | None:
        if name == "equal_weight":
            return equal_weight(rc)
        if rc.bounds_only:
            try:
                return fast.min_variance(cov, rc).weights
            except ActiveSetError:
                pass
        return cvx.min_variance(cov, rc, []).weights

    def _net_return(self, mu: Floats, rc: ResolvedConstraints, weights: Floats) -> float:
        """The whole portfolio's expected return: assets, cash at the risk-free rate, less
        trading costs."""
        cash = 1.0 - rc.budget
        return float(mu @ weights) + cash * self.risk_free_rate - rc.trading_cost(weights)
