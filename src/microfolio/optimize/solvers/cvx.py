"""The general path: each mean-variance problem as a cvxpy program, tried along a solver chain.

Every constraint of :class:`ResolvedConstraints` is honoured here: per-asset bounds, the budget
(``1 - min_cash``), group floors and caps, the turnover cap from the current weights, and linear
transaction costs ``c'|w - current|`` charged in the objective:

- min variance minimises ``1/2 w'Sw + costs`` (a utility with no return term and risk aversion
  1; without costs, plain minimum variance);
- utility maximises ``mu'w - lambda/2 w'Sw - costs``;
- target return and target volatility count the return net of costs;
- max Sharpe maximises the Sharpe ratio net of costs, ``(mu - rf)'w - costs) / sqrt(w'Sw)``,
  exactly, by the standard homogenisation (Charnes-Cooper): with ``w = y / k``, ``k > 0``,
  it is ``min y'Sy  s.t.  (mu - rf)'y - c'|y - k current| >= 1``, every constraint scaled
  by ``k`` (``1'y = B k``, ``l k <= y <= u k``, group limits times ``k``,
  ``sum |y - k current| <= cap k``). The numerator is concave and positively homogeneous, so
  this is the same problem, not an approximation.

The covariance is scaled by its mean variance before it reaches a solver (the argmin does not
change; tolerances become meaningful). Each solver of :data:`CHAIN` is tried in turn; every
attempt is recorded as ``"cvxpy:NAME: outcome"``. A solution is accepted only when the solver
says optimal and the weights meet the constraints to :data:`ACCEPT`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cvxpy
import numpy as np
import numpy.typing as npt

from microfolio.optimize.constraints import ResolvedConstraints

__all__ = [
    "ACCEPT",
    "CHAIN",
    "ChainOutcome",
    "frontier",
    "max_return",
    "max_sharpe",
    "min_variance",
    "target_return",
    "target_volatility",
    "utility",
]

Floats = npt.NDArray[np.float64]
#: cvxpy's annotations are partial (module functions missing): it is used untyped here
cp: Any = cvxpy
Expression = Any

#: the solvers tried, in order
CHAIN: tuple[str, ...] = ("CLARABEL", "OSQP", "SCS")
#: tight tolerances: the answers are compared with the fast path to 1e-6
OPTIONS: dict[str, dict[str, float | int]] = {
    "CLARABEL": {
        "tol_gap_abs": 1e-12,
        "tol_gap_rel": 1e-12,
        "tol_feas": 1e-12,
        "tol_ktratio": 1e-10,
    },
    "OSQP": {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iter": 200_000},
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200_000},
}
#: solvers whose "optimal_inaccurate" ("almost solved": Clarabel's reduced tolerances, 5e-5)
#: is accepted for a rough answer that is polished afterwards
ALMOST_OK: frozenset[str] = frozenset({"CLARABEL"})
#: the largest constraint violation accepted from a solver
ACCEPT = 1e-7
#: the weight of the variance tie-breaker in the max-return program
_TIE = 1e-7
#: Newton steps polishing a target-volatility answer
_POLISH_STEPS = 4


@dataclass(frozen=True, slots=True, eq=False)
class ChainOutcome:
    """The accepted weights and the solver that gave them (None when every solver failed), and
    whether any solver reported the problem infeasible."""

    weights: Floats | None
    solver: str | None
    infeasible: bool = False


@functools.cache
def _installed() -> frozenset[str]:
    return frozenset(cp.installed_solvers())


def run_chain(
    problem: Any,
    read: Callable[[], Floats | None],
    rc: ResolvedConstraints,
    chain: list[str],
    *,
    rough: bool = False,
    tag: str = "",
) -> ChainOutcome:
    """Try each solver of CHAIN on ``problem``; ``read`` gives the weights after a solve.

    ``rough``: the answer will be polished afterwards, so each solver runs with its default
    tolerances and the "almost solved" answers of ALMOST_OK solvers are accepted. ``tag`` is
    added to each chain entry's label.
    """
    infeasible = False
    for name in CHAIN:
        label = f"cvxpy:{name}{tag}"
        if name not in _installed():
            chain.append(f"{label}: not installed")
            continue
        if name == "OSQP" and not problem.is_qp():
            chain.append(f"{label}: skipped (not a quadratic program)")
            continue
        try:
            with warnings.catch_warnings():  # the outcome goes into the chain instead
                warnings.simplefilter("ignore")
                problem.solve(solver=name, **({} if rough else OPTIONS.get(name, {})))
        except (cp.error.SolverError, ValueError, ArithmeticError) as exc:
            reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else "error"
            chain.append(f"{label}: failed ({reason})")
            continue
        status = problem.status
        if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            infeasible = True
            chain.append(f"{label}: infeasible")
            continue
        close = rough and status == cp.OPTIMAL_INACCURATE and name in ALMOST_OK
        if status != cp.OPTIMAL and not close:
            chain.append(f"{label}: {status}")
            continue
        weights = read()
        if weights is None or not np.isfinite(weights).all():
            chain.append(f"{label}: no solution returned")
            continue
        weights = np.clip(weights, rc.lower, rc.upper)
        gap = rc.violation(weights)
        if gap > ACCEPT:
            chain.append(f"{label}: solution breaks the constraints by {gap:.1e}")
            continue
        chain.append(f"{label}: ok (almost solved)" if close else f"{label}: ok")
        return ChainOutcome(weights, f"cvxpy:{name}", infeasible)
    return ChainOutcome(None, None, infeasible)


class _Model:
    """Variables and constraint expressions over one set of resolved constraints.

    With ``homogeneous`` the variables are ``y`` and a scale ``k >= 0`` (weights ``y / k``) and
    every constraint is scaled by ``k``.
    """

    def __init__(self, cov: Floats, rc: ResolvedConstraints, homogeneous: bool = False) -> None:
        n = cov.shape[0]
        self.rc = rc
        self.scale = float(np.mean(np.diagonal(cov))) or 1.0
        self.sigma = cp.psd_wrap(cov / self.scale)
        self.w = cp.Variable(n)
        self.k: Any = cp.Variable(nonneg=True) if homogeneous else None

    def _times_k(self, value: Floats | float) -> Expression:
        return value if self.k is None else self.k * value

    def constraints(self) -> list[Any]:
        rc, w = self.rc, self.w
        out: list[Any] = [cp.sum(w) == self._times_k(rc.budget)]
        for bound, below in ((rc.lower, True), (rc.upper, False)):
            used = np.flatnonzero(np.isfinite(bound))
            if used.size:
                side = self._times_k(bound[used])
                out.append(w[used] >= side if below else w[used] <= side)
        for limit, below in ((rc.group_lower, True), (rc.group_upper, False)):
            used = np.isfinite(limit)
            if used.any():
                totals = rc.membership[used] @ w
                side = self._times_k(limit[used])
                out.append(totals >= side if below else totals <= side)
        if rc.max_turnover is not None:
            out.append(cp.norm1(w - self._times_k(rc.start)) <= self._times_k(rc.max_turnover))
        return out

    def costs(self) -> Expression:
        """Linear transaction costs of the trade from the current weights (0 without costs)."""
        if not np.any(self.rc.costs):
            return 0.0
        return self.rc.costs @ cp.abs(self.w - self._times_k(self.rc.start))

    def variance(self) -> Expression:
        """Variance divided by the scale."""
        return cp.quad_form(self.w, self.sigma)

    def weights(self) -> Floats | None:
        value = self.w.value
        if value is None:
            return None
        if self.k is None:
            return np.asarray(value, dtype=float)
        scale = self.k.value
        if scale is None or not float(scale) > 0.0:
            return None
        return np.asarray(value, dtype=float) / float(scale)


def min_variance(
    cov: Floats,
    rc: ResolvedConstraints,
    chain: list[str],
    with_costs: bool = True,
    tag: str = "",
) -> ChainOutcome:
    """``min 1/2 w'Sw + costs`` (costs only ``with_costs``)."""
    model = _Model(cov, rc)
    objective = 0.5 * model.variance()
    if with_costs:
        objective = objective + model.costs() / model.scale
    problem = cp.Problem(cp.Minimize(objective), model.constraints())
    return run_chain(problem, model.weights, rc, chain, tag=tag)


def utility(
    mu: Floats, cov: Floats, rc: ResolvedConstraints, risk_aversion: float, chain: list[str]
) -> ChainOutcome:
    """``max mu'w - risk_aversion/2 w'Sw - costs``."""
    model = _Model(cov, rc)
    objective = (
        0.5 * risk_aversion * model.variance() - (mu @ model.w - model.costs()) / model.scale
    )
    problem = cp.Problem(cp.Minimize(objective), model.constraints())
    return run_chain(problem, model.weights, rc, chain)


def target_return(
    mu: Floats,
    cov: Floats,
    rc: ResolvedConstraints,
    asset_return: float,
    chain: list[str],
    tag: str = "",
) -> ChainOutcome:
    """``min w'Sw  s.t.  mu'w - costs >= asset_return``."""
    model = _Model(cov, rc)
    constraints = [*model.constraints(), mu @ model.w - model.costs() >= asset_return]
    problem = cp.Problem(cp.Minimize(model.variance()), constraints)
    return run_chain(problem, model.weights, rc, chain, tag=tag)


def max_return(
    mu: Floats, cov: Floats, rc: ResolvedConstraints, chain: list[str], tag: str = ""
) -> ChainOutcome:
    """The highest ``mu'w - costs``, ties broken by the least variance.

    One QP: ``max (mu'w - costs) / |mu|_max - TIE/2 w'Sw / mean(diag S)``. On the optimal face
    of the linear program the linear part is constant, so the tiny quadratic term picks the
    least-variance point of the face; and it cannot pull the answer off the face while the
    return given up (relative to the largest expected return) exceeds ``TIE`` times the
    variance saved, so a unique maximiser is found exactly.
    """
    model = _Model(cov, rc)
    size = float(np.abs(mu).max(initial=0.0)) or 1.0
    gain = (mu @ model.w - model.costs()) / size
    objective = 0.5 * _TIE * model.variance() - gain
    problem = cp.Problem(cp.Minimize(objective), model.constraints())
    return run_chain(problem, model.weights, rc, chain, tag=tag)


def max_sharpe(
    excess: Floats, cov: Floats, rc: ResolvedConstraints, chain: list[str]
) -> ChainOutcome:
    """Max ``(excess'w - costs) / sqrt(w'Sw)`` by the homogenised QP (see the module notes)."""
    model = _Model(cov, rc, homogeneous=True)
    constraints = [*model.constraints(), excess @ model.w - model.costs() >= 1.0]
    problem = cp.Problem(cp.Minimize(model.variance()), constraints)
    return run_chain(problem, model.weights, rc, chain)


def target_volatility(
    mu: Floats, cov: Floats, rc: ResolvedConstraints, target: float, chain: list[str]
) -> ChainOutcome:
    """``max mu'w - costs  s.t.  w'Sw <= target**2``, then polished.

    Conic solvers find the best return to good accuracy but the weights less so. When the
    volatility limit binds, the answer is the frontier point with that volatility, which the
    QP ``min w'Sw  s.t.  mu'w - costs >= r`` (solved to full accuracy) gives at the right
    ``r``: starting from the return the conic solve found, Newton steps on ``r`` use the
    frontier's slope ``d(w'Sw)/dr``, the dual value of the return constraint.
    """
    model = _Model(cov, rc)
    constraints = [*model.constraints(), model.variance() <= target * target / model.scale]
    problem = cp.Problem(cp.Maximize(mu @ model.w - model.costs()), constraints)
    found = run_chain(problem, model.weights, rc, chain, rough=True)
    if found.weights is None:
        return found
    goal = target * target
    if float(found.weights @ cov @ found.weights) < goal * (1.0 - 1e-9):
        # perhaps the limit does not bind: then the answer is the max-return portfolio
        top = max_return(mu, cov, rc, chain, tag=" (polish)")
        if top.weights is not None and float(top.weights @ cov @ top.weights) <= goal:
            return top
    polish = _Model(cov, rc)
    level = cp.Parameter(value=float(mu @ found.weights) - rc.trading_cost(found.weights))
    gain = mu @ polish.w - polish.costs() >= level
    qp = cp.Problem(cp.Minimize(polish.variance()), [*polish.constraints(), gain])
    best = found
    attempts: list[str] = []
    for _ in range(_POLISH_STEPS):
        step = run_chain(qp, polish.weights, rc, attempts, tag=" (polish)")
        if step.weights is None or gain.dual_value is None:
            break
        best = step
        variance = float(step.weights @ cov @ step.weights)
        slope = float(gain.dual_value) * polish.scale  # d(w'Sw)/dr on the frontier
        if abs(variance - goal) <= 1e-12 * goal or slope <= 0.0:
            break
        level.value = float(level.value) + (goal - variance) / slope
    chain.extend(entry for entry in dict.fromkeys(attempts))
    return best


def frontier(
    mu: Floats, cov: Floats, rc: ResolvedConstraints, goals: Floats, chain: list[str]
) -> list[Floats | None]:
    """Min variance at each net asset return of ``goals`` (one parametrised program, solved
    once per goal). The chain gets the failures and one line per solver that succeeded."""
    model = _Model(cov, rc)
    goal = cp.Parameter()
    constraints = [*model.constraints(), mu @ model.w - model.costs() >= goal]
    problem = cp.Problem(cp.Minimize(model.variance()), constraints)
    rows: list[Floats | None] = []
    used: dict[str, int] = {}
    for i, value in enumerate(goals):
        goal.value = float(value)
        attempts: list[str] = []
        outcome = run_chain(problem, model.weights, rc, attempts)
        chain.extend(f"{entry} (point {i + 1})" for entry in attempts if not entry.endswith(": ok"))
        if outcome.solver is not None:
            used[outcome.solver] = used.get(outcome.solver, 0) + 1
        rows.append(outcome.weights)
    chain.extend(f"{name}: ok ({count} points)" for name, count in used.items())
    return rows
