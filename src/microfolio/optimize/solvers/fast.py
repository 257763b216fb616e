"""Mean-variance problems with only per-asset bounds and the budget, solved without cvxpy.

Every problem here is one box-constrained QP with one or two equalities, or a short path of
them, solved by the active-set method of :mod:`.active_set`:

- min variance: ``min w'Sw  s.t. 1'w = B, l <= w <= u``; with no binding bound the first
  iterate is the closed form ``B S^-1 1 / 1'S^-1 1``;
- utility: ``max mu'w - lambda/2 w'Sw`` on the same set;
- target return: min variance with ``mu'w = r`` as a second equality;
- max Sharpe: the homogenised problem ``min y'Sy  s.t. (mu - rf)'y = 1, 1'y = B k,
  l k <= y <= u k`` (k >= 0 a free scale), then ``w = y / k``; with no binding bound the first
  iterate is the closed form ``S^-1 (mu - rf)`` normalised. Should that solve fail (an iterate
  with a negative scale cannot be steered), the tangency point is found on the utility path
  instead: where ``w'Sw = t (mu - rf)'w``, a function of ``t`` that is linear on each piece;
- max return: a greedy fill of the best expected returns (an LP solved exactly), with ties
  broken by minimum variance;
- target volatility: along the utility path ``w(t) = argmin 1/2 w'Sw - t mu'w`` the weights are
  piecewise affine in ``t`` (affine while the active set holds), so the variance is piecewise
  quadratic: a safeguarded Newton search (``_path_search``) solves the quadratic on the
  current piece, re-solves at that ``t`` (warm-started) and stops when the piece holds, so the
  answer is exact, not a bisection's approximation;
- the frontier: target returns evenly spaced from the min-variance return to the max return,
  each solve warm-started from the previous point's active set.

B is the budget ``1 - min_cash``. Nothing here loops over assets in Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from microfolio.optimize.constraints import ResolvedConstraints
from microfolio.optimize.solvers.active_set import (
    ActiveSetError,
    BoxQP,
    BoxQPSolution,
    solve_box_qp,
)

__all__ = [
    "FastSolution",
    "frontier",
    "max_return",
    "max_sharpe",
    "min_variance",
    "target_return",
    "target_volatility",
    "utility",
]

Floats = npt.NDArray[np.float64]
States = npt.NDArray[np.int8]

#: Newton steps allowed along the utility path (target volatility)
_PATH_STEPS = 100


@dataclass(frozen=True, slots=True, eq=False)
class FastSolution:
    """Weights from a fast path, which method gave them ("closed_form" or "active_set"), the
    iterations it took and the final active set (-1 lower, 0 free, +1 upper)."""

    weights: Floats
    solver: str
    iterations: int
    state: States


def _finish(
    solution: BoxQPSolution, weights: Floats, iterations: int | None = None
) -> FastSolution:
    closed = solution.iterations == 1 and not np.any(solution.state)
    return FastSolution(
        weights=weights,
        solver="closed_form" if closed else "active_set",
        iterations=solution.iterations if iterations is None else iterations,
        state=solution.state,
    )


def _budget_qp(
    hessian: Floats, q: Floats, rc: ResolvedConstraints, dq: Floats | None = None
) -> BoxQP:
    n = q.shape[0]
    return BoxQP(
        P=hessian,
        q=q,
        A=np.ones((1, n)),
        b=np.array([rc.budget]),
        lower=rc.lower,
        upper=rc.upper,
        dq=dq,
        budget_row=0,
    )


def min_variance(cov: Floats, rc: ResolvedConstraints, state: States | None = None) -> FastSolution:
    """``min w'Sw  s.t.  1'w = budget, lower <= w <= upper``."""
    solution = solve_box_qp(_budget_qp(cov, np.zeros(cov.shape[0]), rc), state=state)
    return _finish(solution, solution.x)


def utility(mu: Floats, cov: Floats, rc: ResolvedConstraints, risk_aversion: float) -> FastSolution:
    """``max mu'w - risk_aversion/2 w'Sw`` on the budget and bounds."""
    solution = solve_box_qp(_budget_qp(risk_aversion * cov, mu, rc))
    return _finish(solution, solution.x)


def target_return(
    mu: Floats,
    cov: Floats,
    rc: ResolvedConstraints,
    asset_return: float,
    state: States | None = None,
    between: tuple[Floats, Floats] | None = None,
) -> FastSolution:
    """``min w'Sw  s.t.  mu'w = asset_return`` on the budget and bounds (the caller checks
    that the target lies between the min-variance and the max return).

    ``between``: two allowed portfolios whose returns bracket the target (e.g. the previous
    frontier point and the max-return portfolio); their mix with exactly the target return
    is a feasible start for the fallback of the active-set method.
    """
    n = mu.shape[0]
    problem = BoxQP(
        P=cov,
        q=np.zeros(n),
        A=np.vstack([np.ones(n), mu]),
        b=np.array([rc.budget, asset_return]),
        lower=rc.lower,
        upper=rc.upper,
        budget_row=0,
    )
    hint = None if between is None else _mix(mu, rc, asset_return, *between)
    solution = solve_box_qp(problem, state=state, feasible=hint)
    return _finish(solution, solution.x)


def _mix(
    mu: Floats, rc: ResolvedConstraints, goal: float, low: Floats, high: Floats
) -> BoxQPSolution | None:
    """The mix of ``low`` and ``high`` with return ``goal`` (budget and bounds hold: they are
    convex), with the bounds it touches as its active set; None if they do not bracket it."""
    r_low, r_high = float(mu @ low), float(mu @ high)
    if not r_low <= goal <= r_high or r_high - r_low <= 0.0:
        return None
    share = (r_high - goal) / (r_high - r_low)
    x = np.clip(share * low + (1.0 - share) * high, rc.lower, rc.upper)
    state = np.where(x <= rc.lower, -1, np.where(x >= rc.upper, 1, 0)).astype(np.int8)
    return BoxQPSolution(x, 1.0, np.zeros(2), state, 0)


def max_sharpe(excess: Floats, cov: Floats, rc: ResolvedConstraints) -> FastSolution:
    """Max ``excess'w / sqrt(w'Sw)`` on the budget and bounds, by the homogenised QP.

    The caller checks first that some allowed portfolio has a positive excess return (else
    the ratio has no maximum worth the name).
    """
    n = excess.shape[0]
    upper = rc.upper
    if rc.long_only:
        # y_i <= u_i k is implied by y >= 0 and 1'y = B k when u_i >= B: drop it
        upper = np.where(upper >= rc.budget, np.inf, upper)
    problem = BoxQP(
        P=cov,
        q=np.zeros(n),
        A=np.vstack([excess, np.ones(n)]),
        b=np.array([1.0, 0.0]),
        lower=rc.lower,
        upper=upper,
        a_s=np.array([0.0, -rc.budget]),
        budget_row=1,
    )
    try:
        solution = solve_box_qp(problem)
    except ActiveSetError:  # the path search is slower but steadier
        return _max_sharpe_on_path(excess, cov, rc, min_variance(cov, rc))
    weights = solution.x / solution.s
    return _finish(solution, np.clip(weights, rc.lower, rc.upper))


def max_return(mu: Floats, cov: Floats, rc: ResolvedConstraints) -> Floats:
    """The highest ``mu'w`` on the budget and bounds: every asset at its lower bound, then the
    rest of the budget to the best expected returns in turn, each up to its upper bound.

    Assets tied with the marginal one share what is left by minimum variance (the limit of
    the frontier as risk aversion goes to zero), so the answer is unique.
    """
    lower, upper = rc.lower, rc.upper
    if not (np.isfinite(lower).all() and np.isfinite(upper).all()):
        raise ActiveSetError("the max-return portfolio needs finite bounds on every asset")
    weights = lower.copy()
    left = rc.budget - float(lower.sum())
    order = np.argsort(-mu, kind="stable")
    room = (upper - lower)[order]
    filled = np.cumsum(room)
    k = int(np.searchsorted(filled, left, side="left"))
    if k >= mu.shape[0]:  # the bounds only just allow the budget: everything at the top
        return upper.copy()
    weights[order[:k]] = upper[order[:k]]
    weights[order[k]] += left - (float(filled[k - 1]) if k > 0 else 0.0)
    marginal = mu[order[k]]
    tied = np.abs(mu - marginal) <= 1e-14 * max(1.0, float(np.abs(mu).max()))
    if np.count_nonzero(tied) > 1:
        weights = _share_ties(weights, tied, cov, rc)
    return weights


def _share_ties(
    weights: Floats, tied: npt.NDArray[np.bool_], cov: Floats, rc: ResolvedConstraints
) -> Floats:
    """Re-share the tied assets' total by minimum variance, the others held where they are."""
    amount = float(weights[tied].sum())
    lower, upper = rc.lower[tied], rc.upper[tied]
    if amount <= float(lower.sum()) + 1e-15 or amount >= float(upper.sum()) - 1e-15:
        return weights
    rest = np.where(tied, 0.0, weights)
    sub = cov[np.ix_(tied, tied)]
    problem = BoxQP(
        P=sub,
        q=-(cov[tied] @ rest),
        A=np.ones((1, sub.shape[0])),
        b=np.array([amount]),
        lower=lower,
        upper=upper,
        budget_row=0,
    )
    out = weights.copy()
    out[tied] = solve_box_qp(problem).x
    return out


def target_volatility(
    mu: Floats,
    cov: Floats,
    rc: ResolvedConstraints,
    target: float,
    start: FastSolution,
) -> FastSolution:
    """Max ``mu'w`` with ``w'Sw = target**2`` on the budget and bounds (the caller checks
    that the target lies strictly between the min-variance and the max-return volatility).

    ``start`` is the min-variance solution (``t = 0`` on the utility path).
    """
    goal = target * target

    def equation(x: Floats, dx: Floats, t: float) -> tuple[float, float, float]:
        # variance(t + tau) - goal = variance - goal + 2 tau x'S dx + tau^2 dx'S dx
        sx, sdx = cov @ x, cov @ dx
        return float(dx @ sdx), 2.0 * float(x @ sdx), float(x @ sx) - goal

    return _path_search(mu, cov, rc, start, equation, rising=True, what="target volatility")


def _max_sharpe_on_path(
    excess: Floats, cov: Floats, rc: ResolvedConstraints, start: FastSolution
) -> FastSolution:
    """Max Sharpe as the point of the utility path ``argmin 1/2 w'Sw - t excess'w`` where
    ``w'Sw = t excess'w`` (the tangency condition: there the frontier's slope d(w'Sw)/dr = 2t
    equals 2 w'Sw / r). ``h(t) = w'Sw - t excess'w`` is positive at ``t = 0`` and falls."""

    def equation(x: Floats, dx: Floats, t: float) -> tuple[float, float, float]:
        sx, sdx = cov @ x, cov @ dx
        r, dr = float(excess @ x), float(excess @ dx)
        return (
            float(dx @ sdx) - dr,
            2.0 * float(x @ sdx) - t * dr - r,
            float(x @ sx) - t * r,
        )

    return _path_search(excess, cov, rc, start, equation, rising=False, what="max Sharpe")


def _path_search(
    mu: Floats,
    cov: Floats,
    rc: ResolvedConstraints,
    start: FastSolution,
    equation: Callable[[Floats, Floats, float], tuple[float, float, float]],
    rising: bool,
    what: str,
) -> FastSolution:
    """The point of the utility path ``w(t) = argmin 1/2 w'Sw - t mu'w`` (t >= 0) where
    ``h(t) = 0``, for an ``h`` that rises (or falls) through zero once.

    While the active set holds, ``w`` is affine in ``t``, and ``equation(x, dx, t)`` gives
    ``h(t + tau)`` on that piece as a quadratic ``(a2, a1, a0)`` in ``tau``. A safeguarded
    Newton search: solve the quadratic on the current piece, re-solve at that ``t``
    (warm-started from the active set, with the previous point as a feasible fallback start),
    and stop when the piece holds; bisection inside the bracket when a step leaves it.
    """
    problem = _budget_qp(cov, np.zeros(mu.shape[0]), rc, dq=mu)
    sign = 1.0 if rising else -1.0
    low, high = 0.0, math.inf  # sign * h < 0 at low, > 0 at high
    t = 0.0
    solution = solve_box_qp(problem, t=t, state=start.state)
    iterations = solution.iterations
    for _ in range(_PATH_STEPS):
        x, dx = solution.x, solution.dx
        assert dx is not None
        a2, a1, a0 = (sign * c for c in equation(x, dx, t))
        if abs(a0) <= 1e-12 * max(abs(float(x @ cov @ x)), 1e-300):
            return _finish(solution, x, iterations)
        if a0 < 0.0:
            low = max(low, t)
        else:
            high = min(high, t)
        # a flat piece (every asset but the budget's last at a bound) has no root: move on
        flat = float(np.abs(dx).max()) * max(t, 1.0) <= 1e-10 * float(np.abs(x).max())
        step = None if flat else _rising_root(a2, a1, a0)
        candidate = t + step if step is not None else math.nan
        if not math.isfinite(high):  # no bracket yet: grow t at most a hundredfold per step
            candidate = min(candidate, 100.0 * max(t, 1.0))
        if not low < candidate < high:
            candidate = 0.5 * (low + high) if math.isfinite(high) else max(2.0 * t, 1.0)
        t = candidate
        # the previous point meets the same constraints: a safe start if PDAS struggles
        solution = solve_box_qp(problem, t=t, state=solution.state, feasible=solution)
        iterations += solution.iterations
    raise ActiveSetError(f"{what}: no convergence along the path in {_PATH_STEPS} steps")


def _rising_root(a2: float, a1: float, a0: float) -> float | None:
    """The root of ``a2 tau^2 + a1 tau + a0`` where it is increasing (either sign of a2)."""
    if abs(a2) <= 1e-14 * (abs(a1) + abs(a0)):
        return -a0 / a1 if a1 > 0.0 else None
    disc = a1 * a1 - 4.0 * a2 * a0
    if disc < 0.0:
        return None
    root = math.sqrt(disc)
    # (-a1 + root) / (2 a2): the slope there is +root; stable form when a1 > 0
    return (-a1 + root) / (2.0 * a2) if a1 <= 0.0 else (-2.0 * a0) / (a1 + root)


def frontier(
    mu: Floats,
    cov: Floats,
    rc: ResolvedConstraints,
    n_points: int,
    start: FastSolution,
    top: Floats,
) -> tuple[Floats, int]:
    """Weights of ``n_points`` frontier portfolios (rows), target returns evenly spaced from
    the min-variance portfolio ``start`` to the max-return portfolio ``top``; and the total
    active-set iterations."""
    low, high = float(mu @ start.weights), float(mu @ top)
    out = np.empty((n_points, mu.shape[0]))
    out[0], out[-1] = start.weights, top
    if high - low <= 1e-12 * max(1.0, abs(high)):
        out[1:-1] = start.weights
        return out, start.iterations
    state = start.state
    iterations = start.iterations
    for i, goal in enumerate(np.linspace(low, high, n_points)[1:-1], start=1):
        point = target_return(mu, cov, rc, float(goal), state=state, between=(out[i - 1], top))
        out[i], state = point.weights, point.state
        iterations += point.iterations
    return out, iterations
