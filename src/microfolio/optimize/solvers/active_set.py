"""An active-set solver for convex QPs with box bounds and one to three equalities.

The problem, in one form that covers every mean-variance fast path::

    minimise    1/2 x'Px - (q + t dq)'x
    subject to  A x + s a_s = b,      lower s <= x <= upper s

where ``s`` is the constant 1, or, when ``a_s`` is given, a free scalar (the homogenising
variable of the max-Sharpe problem: the bounds then scale with it).

The workhorse is the primal-dual active-set iteration (PDAS) of Hintermueller, Ito and Kunisch
(2003), a semismooth Newton method: guess which bounds bind, solve the equality-constrained QP
on the free variables (LAPACK Cholesky of P's free block, and a Schur complement of at most
3 x 3 for the equalities), then put every free variable that left its box on that bound and
free every bound variable whose multiplier has the wrong sign, all at once. Started from "all
free" its first iterate is the closed form (for min variance, Sigma^-1 1 normalised), and when
no bound binds it stops there. Once the active set is right the answer is exact to rounding:
the KKT system is solved, not approximated. On covariance matrices it usually takes 5 to 15
iterations, each cheaper than the last as the free set shrinks.

What keeps it fast and safe:

- large cold starts are screened: the first iteration is done on blocks of ~100 assets, then
  on the survivors, so the whole matrix is never factorised (``_screen``);
- a guess that puts more at the caps (or at the floors) than the budget can hold is corrected
  before it is tried (``_respect_budget``); a guess whose free variables cannot meet the
  equalities is undone;
- block steps that stop reducing the number of violations give way to single changes
  (Judice and Pires, 1994; Murty's rule);
- PDAS can still cycle on hard problems (ill-conditioned, or nearly linear: the return term
  dominating). Then the primal active-set method finishes: from a feasible point it changes
  one bound per step and lowers the objective at every step, so it ends. Its starting point is
  one the caller knows (the previous point of a path), or the end of a continuation on
  ``P + delta I`` with a falling ``delta`` (easy for PDAS, and each stage starts the next), or
  equal weights projected onto the budget and bounds.

The caller gets ActiveSetError if none of this reaches a KKT point, and moves on (to cvxpy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg

from microfolio.errors import OptimizationError

__all__ = [
    "ActiveSetError",
    "BoxQP",
    "BoxQPSolution",
    "initial_state",
    "project_budget",
    "solve_box_qp",
]

Floats = npt.NDArray[np.float64]
States = npt.NDArray[np.int8]

#: block steps allowed without fewer violations before single changes (Judice-Pires)
_BLOCK_BUDGET = 3
#: iterations of plain PDAS before the continuation (plus n / 20)
_PLAIN_LIMIT = 25
#: the ridges of the continuation, relative to the mean variance, and each stage's iterations
_LADDER = (1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6)
_STAGE_LIMIT = 30
#: cold starts of problems this large begin from a screened active set
_SCREEN_FROM = 256
_SCREEN_BLOCK = 96
#: iterations allowed from a screened guess before starting again from everything free
_SCREENED_LIMIT = 20
#: iterations of plain PDAS when the caller gave a feasible point (plus n / 50)
_HINTED_LIMIT = 8
#: relative tolerance on bound violations and multiplier signs
_TOL = 1e-10

#: condition number above which the small Schur complement counts as singular
_SINGULAR = 1e12

_potrf, _potrs = linalg.get_lapack_funcs(("potrf", "potrs"), dtype=np.float64)


class ActiveSetError(OptimizationError):
    """The active-set method did not reach a solution (no convergence, singular system)."""


@dataclass(frozen=True, slots=True, eq=False)
class BoxQP:
    """``min 1/2 x'Px - (q + t dq)'x  s.t.  A x + s a_s = b,  lower s <= x <= upper s``.

    ``P`` is n x n symmetric positive semi-definite (definite on every free block met, or the
    solver says so); ``A`` is m x n with m <= 3. Infinite bounds are allowed. ``dq`` (optional)
    makes the linear term depend on a parameter ``t``; ``a_s`` (optional) makes ``s`` a free
    variable (a homogenised problem) rather than the constant 1. ``budget_row`` (optional) names
    the row of ``A`` that is all ones (the budget): guesses of the active set are then kept
    within what the budget can hold.
    """

    P: Floats
    q: Floats
    A: Floats
    b: Floats
    lower: Floats
    upper: Floats
    dq: Floats | None = None
    a_s: Floats | None = None
    budget_row: int | None = None

    @property
    def n(self) -> int:
        return int(self.q.shape[0])

    @property
    def budget(self) -> float | None:
        """The total ``1'x`` that row ``budget_row`` of ``A`` (all ones) fixes, in units of s."""
        if self.budget_row is None:
            return None
        if self.a_s is not None:
            return float(-self.a_s[self.budget_row])
        return float(self.b[self.budget_row])


@dataclass(frozen=True, slots=True, eq=False)
class BoxQPSolution:
    """The solution at one ``t``: ``x`` (inside its bounds), ``s`` (1 unless homogeneous), the
    equality multipliers ``nu``, the active set ``state`` (-1 lower, 0 free, +1 upper) and, for
    a parametric problem, ``dx`` = dx/dt while this active set holds (zero on bound variables).
    """

    x: Floats
    s: float
    nu: Floats
    state: States
    iterations: int
    dx: Floats | None = None


def initial_state(problem: BoxQP) -> States:
    """Everything free, except variables whose two bounds coincide."""
    state = np.zeros(problem.n, dtype=np.int8)
    state[problem.lower == problem.upper] = -1
    return state


def solve_box_qp(
    problem: BoxQP,
    t: float = 0.0,
    state: States | None = None,
    feasible: BoxQPSolution | None = None,
) -> BoxQPSolution:
    """Solve ``problem`` at parameter ``t``, starting from the active set ``state`` (a warm
    start, e.g. the previous point of a path) or from everything free.

    1. Plain PDAS, with a budget of iterations (enough on well-conditioned problems).
    2. If it does not settle and ``feasible`` (a point meeting the constraints, e.g. the
       previous point of a path) is given: the primal active-set method from it (one bound
       added or released per step, the objective falling at every step, so it ends).
    3. Otherwise a continuation on ``P + delta I`` for a falling ``delta`` (a diagonally
       dominant problem is easy for PDAS, and each solution starts the next), then PDAS on
       the problem itself from the last active set; failing that, the primal method from the
       last continuation solution (feasible: only P changed), or from the projection of equal
       weights onto the budget and bounds.

    Without ``state``, small problems start with everything free (so the first iterate is the
    closed form) and large ones from a screened guess (see ``_screen``), then, if plain PDAS
    does not settle from it, from everything free.

    Raises ActiveSetError when none of these reaches a solution.
    """
    n = problem.n
    if state is not None:
        starts = [state.astype(np.int8, copy=True)]
    elif n >= _SCREEN_FROM:  # a screened guess, and everything free if that goes badly
        starts = [_screen(problem, t), initial_state(problem)]
    else:
        starts = [initial_state(problem)]
    plain = max(_PLAIN_LIMIT + n // 20, 0)
    if feasible is not None:  # the primal finish from a known point is cheap: fail fast
        plain = min(plain, _HINTED_LIMIT + n // 50)
    total = 0  # iterations spent, reported with the answer
    for i, start in enumerate(starts):
        # a screened guess that needs many iterations is a poor one: give it fewer
        limit = min(plain, _SCREENED_LIMIT) if i < len(starts) - 1 else plain
        try:
            return _counted(_pdas(problem, t, start, ridge=0.0, limit=limit), total)
        except ActiveSetError:
            total += limit
    if feasible is not None:
        final = _primal(problem, t, feasible, limit=_PLAIN_LIMIT + 3 * n)
        return _counted(final, total)
    scale = float(np.mean(np.abs(np.diagonal(problem.P)))) or 1.0
    current = start
    for delta in _LADDER:
        try:
            step = _pdas(problem, t, current, ridge=delta * scale, limit=_STAGE_LIMIT)
        except ActiveSetError:
            total += _STAGE_LIMIT
            if feasible is not None:  # smaller ridges are only harder: finish from here
                break
            continue
        current, feasible, total = step.state, step, total + step.iterations
    try:
        final = _pdas(problem, t, current, ridge=0.0, limit=_STAGE_LIMIT)
    except ActiveSetError:
        total += _STAGE_LIMIT
        feasible = feasible or _projected_start(problem)
        if feasible is None:
            raise
        final = _primal(problem, t, feasible, limit=_PLAIN_LIMIT + 3 * n)
    return _counted(final, total)


def _counted(solution: BoxQPSolution, spent: int) -> BoxQPSolution:
    """``solution`` with ``spent`` earlier iterations added to its count."""
    return BoxQPSolution(
        solution.x,
        solution.s,
        solution.nu,
        solution.state,
        spent + solution.iterations,
        solution.dx,
    )


def _projected_start(problem: BoxQP) -> BoxQPSolution | None:
    """A feasible point of a problem whose only equality is the budget: equal weights
    projected onto the budget and the bounds (None for other problems)."""
    if problem.budget_row is None or problem.A.shape[0] != 1 or problem.a_s is not None:
        return None
    budget = float(problem.b[0])
    lower, upper = problem.lower, problem.upper
    x = project_budget(np.full(problem.n, budget / problem.n), lower, upper, budget)
    if x is None:
        return None
    state = np.where(x <= lower, -1, np.where(x >= upper, 1, 0)).astype(np.int8)
    if not np.any(state == 0):  # the budget pins every variable; free one to carry it
        state[int(np.argmax(upper - lower))] = 0
    return BoxQPSolution(x, 1.0, np.zeros(1), state, 0)


def project_budget(anchor: Floats, lower: Floats, upper: Floats, budget: float) -> Floats | None:
    """The Euclidean projection of ``anchor`` onto ``{1'x = budget, lower <= x <= upper}``:
    ``clip(anchor - tau, lower, upper)`` with ``tau`` found by bisection, the last rounding
    spread over the variables strictly inside their bounds. None if the set is empty."""
    if lower.sum() > budget or upper.sum() < budget:
        return None
    ends = np.concatenate([anchor - lower, anchor - upper])
    ends = ends[np.isfinite(ends)]
    spread = float(np.abs(ends).max(initial=0.0)) + abs(budget) + 1.0
    low, high = -spread, spread  # total(low) >= budget >= total(high)
    while float(np.clip(anchor - low, lower, upper).sum()) < budget:
        low *= 2.0
    while float(np.clip(anchor - high, lower, upper).sum()) > budget:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid in (low, high):
            break
        if float(np.clip(anchor - mid, lower, upper).sum()) >= budget:
            low = mid
        else:
            high = mid
    x = np.clip(anchor - low, lower, upper)
    inside = (x > lower) & (x < upper)
    if inside.any():  # the sum is piecewise linear in tau: spread the last rounding evenly
        x[inside] += (budget - float(x.sum())) / int(inside.sum())
    return np.clip(x, lower, upper)


def _primal(problem: BoxQP, t: float, start: BoxQPSolution, limit: int) -> BoxQPSolution:
    """The primal active-set method (Nocedal and Wright, algorithm 16.3) from a feasible
    point: step to the minimiser on the current face, stopping at the first bound in the way
    (which joins the working set); at the face's minimiser, release the bound whose multiplier
    has the wrong sign by the most. The objective falls at every step."""
    lower, upper = problem.lower, problem.upper
    pinned = lower == upper
    q = problem.q if problem.dq is None else problem.q + t * problem.dq
    homogeneous = problem.a_s is not None
    x, s = start.x.copy(), start.s
    working = start.state.astype(np.int8, copy=True)
    p_scale = float(np.abs(np.diagonal(problem.P)).max(initial=0.0))
    q_scale = float(np.abs(q).max(initial=0.0))
    a_scale = float(np.abs(problem.A).max(initial=0.0))
    for iteration in range(1, limit + 1):
        target, s_target, nu, dx, px = _solve_equality(problem, q, working)
        step, s_step = target - x, (s_target - s) if homogeneous else 0.0
        x_max = float(np.abs(x).max(initial=0.0))
        if float(np.abs(step).max(initial=0.0)) <= _TOL * max(x_max, 1e-300):
            g = px - q + problem.A.T @ nu
            g_tol = _TOL * max(
                p_scale * x_max, q_scale, a_scale * float(np.abs(nu).max(initial=0.0)), 1e-300
            )
            wrong = np.where((working < 0) & ~pinned, -g, 0.0) + np.where(working > 0, g, 0.0)
            j = int(np.argmax(wrong))
            if wrong[j] <= g_tol:
                if homogeneous and s_target <= 0.0:
                    raise ActiveSetError("the homogenising scale is not positive at the solution")
                with np.errstate(invalid="ignore"):
                    target = np.clip(target, lower * s_target, upper * s_target)
                return BoxQPSolution(target, s_target, nu, working, iteration, dx)
            working[j] = 0
            continue
        # the longest step in [0, 1] that keeps every free variable inside its bounds
        free = working == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            to_lower = np.where(
                free & np.isfinite(lower) & (step - lower * s_step < 0),
                (x - lower * s) / -(step - lower * s_step),
                np.inf,
            )
            to_upper = np.where(
                free & np.isfinite(upper) & (upper * s_step - step < 0),
                (upper * s - x) / -(upper * s_step - step),
                np.inf,
            )
        lo_j, up_j = int(np.argmin(to_lower)), int(np.argmin(to_upper))
        alpha = min(1.0, max(float(to_lower[lo_j]), 0.0), max(float(to_upper[up_j]), 0.0))
        x, s = x + alpha * step, s + alpha * s_step
        if alpha < 1.0:
            if to_lower[lo_j] <= to_upper[up_j]:
                working[lo_j] = -1
            else:
                working[up_j] = 1
    raise ActiveSetError(f"no convergence after {limit} primal active-set steps")


def _screen(problem: BoxQP, t: float) -> States:
    """A cheap first guess of the active set: PDAS's first iterate ("everything free", then
    every variable outside its box onto that bound), taken block by block on blocks of about
    ``_SCREEN_BLOCK`` variables, then again on the variables left free, until few are left.

    It saves the factorisation of the whole matrix (n^3 / 3 flops) that an all-free start
    costs; PDAS corrects any wrong guess (a bound variable with the wrong multiplier sign is
    released at the first iteration).
    """
    n = problem.n
    q = problem.q if problem.dq is None else problem.q + t * problem.dq
    state = initial_state(problem)
    desired = np.zeros(n)
    alive = np.flatnonzero(state == 0)
    while alive.size > 2 * _SCREEN_BLOCK:
        count = -(-alive.size // _SCREEN_BLOCK)
        x, scale = _all_free_blocks(problem, q, alive, count)
        desired[alive] = x / np.maximum(scale, 1e-300)
        with np.errstate(invalid="ignore"):
            state[alive[x < problem.lower[alive] * scale]] = -1
            state[alive[x > problem.upper[alive] * scale]] = 1
        if problem.budget is not None:
            _respect_budget(problem, state, desired)
        left = np.flatnonzero(state == 0)
        if left.size > 0.8 * alive.size or left.size == 0:
            break
        alive = left
    # a variable needs a finite bound to sit on
    state[(state < 0) & ~np.isfinite(problem.lower)] = 0
    state[(state > 0) & ~np.isfinite(problem.upper)] = 0
    return state


def _all_free_blocks(
    problem: BoxQP, q: Floats, alive: npt.NDArray[np.intp], count: int
) -> tuple[Floats, Floats]:
    """The all-free solution of the problem restricted to each of ``count`` blocks of the
    variables ``alive`` (each block gets its share of the right-hand side ``b``, or all of it
    when homogeneous), in one stacked solve; and each variable's block scale ``s``.

    Blocks are padded to one size with inert variables (unit curvature, no linear term, in no
    equality), so every block is one slice of a stacked array and LAPACK runs in one call.
    """
    size = -(-alive.size // count)
    padded = np.full(count * size, -1, dtype=np.intp)
    # deal the variables round-robin, so the blocks differ in size by at most one
    padded[: alive.size] = alive
    slots = padded.reshape(size, count).T  # (count, size): block j holds every count-th one
    real = slots >= 0
    safe = np.where(real, slots, 0)
    hessian = problem.P[safe[:, :, None], safe[:, None, :]]
    hessian[~(real[:, :, None] & real[:, None, :])] = 0.0
    hessian[:, np.arange(size), np.arange(size)] += np.where(real, 0.0, 1.0)
    m = problem.A.shape[0]
    rows = np.where(
        real[:, None, :], problem.A[:, safe].transpose(1, 0, 2), 0.0
    )  # (count, m, size)
    linear = np.where(real, q[safe], 0.0)
    share = real.sum(axis=1) / problem.n
    homogeneous = problem.a_s is not None
    if homogeneous:
        assert problem.a_s is not None
        # unknowns (x, s, nu): constraint rows [0; A], the s-column a_s
        c_mat = np.concatenate([np.zeros((count, 1, size)), rows], axis=1)
        d_mat = np.zeros((count, m + 1, m + 1))
        d_mat[:, 0, 1:] = problem.a_s
        d_mat[:, 1:, 0] = problem.a_s
        e = np.concatenate([np.zeros((count, 1)), np.tile(problem.b, (count, 1))], axis=1)
    else:
        c_mat = rows
        d_mat = np.zeros((count, m, m))
        e = problem.b[None, :] * share[:, None]
    try:
        solved = np.linalg.solve(
            hessian, np.concatenate([linear[:, :, None], c_mat.transpose(0, 2, 1)], axis=2)
        )
        y_r, y_c = solved[:, :, :1], solved[:, :, 1:]
        schur = d_mat - c_mat @ y_c
        eta = np.linalg.solve(schur, e[:, :, None] - c_mat @ y_r)
    except np.linalg.LinAlgError:  # a singular block: no guess, everything stays free
        return np.zeros(alive.size), np.ones(alive.size)
    x = (y_r - y_c @ eta)[:, :, 0]
    scale = np.repeat(eta[:, 0, 0] if homogeneous else np.ones(count), size).reshape(count, size)
    out_x, out_scale = np.empty(problem.n), np.ones(problem.n)
    out_x[slots[real]], out_scale[slots[real]] = x[real], np.maximum(scale[real], 0.0)
    return out_x[alive], out_scale[alive]


def _pdas(problem: BoxQP, t: float, state: States, ridge: float, limit: int) -> BoxQPSolution:
    """The primal-dual active-set iteration on ``P + ridge I``, from ``state``."""
    n = problem.n
    lower, upper = problem.lower, problem.upper
    pinned = lower == upper
    current = state.astype(np.int8, copy=True)
    current[pinned] = -1
    # a bound variable must sit on a finite bound
    current[(current < 0) & ~np.isfinite(lower)] = 0
    current[(current > 0) & ~np.isfinite(upper)] = 0
    q = problem.q if problem.dq is None else problem.q + t * problem.dq
    # |P_ij| <= max_i P_ii for a positive semi-definite P: the scale of a gradient entry
    p_scale = float(np.abs(np.diagonal(problem.P)).max(initial=0.0)) + ridge
    q_scale = float(np.abs(q).max(initial=0.0))
    a_scale = float(np.abs(problem.A).max(initial=0.0))
    best, budget = n + 1, _BLOCK_BUDGET
    previous: States | None = None
    for iteration in range(1, limit + 1):
        try:
            x, s, nu, dx, px = _solve_equality(problem, q, current, ridge)
            _check_equalities(problem, x, s)
        except ActiveSetError:
            # no free variable can meet the equalities: undo the last fixings (or free all)
            if previous is None:
                current = initial_state(problem)
            else:
                current[(current != 0) & (previous == 0)] = 0
            previous = None
            continue
        g = px - q + problem.A.T @ nu
        free = current == 0
        if problem.a_s is not None and s <= 0.0:
            # bounds scaled by a non-positive s mean nothing: this run cannot be steered
            raise ActiveSetError("the homogenising scale is not positive")
        scale = s if problem.a_s is not None else 1.0
        x_max = float(np.abs(x).max(initial=0.0))
        x_tol = _TOL * max(x_max, 1e-300)
        g_tol = _TOL * max(
            p_scale * x_max, q_scale, a_scale * float(np.abs(nu).max(initial=0.0)), 1e-300
        )
        with np.errstate(invalid="ignore"):
            below = free & (x < lower * scale - x_tol)
            above = free & (x > upper * scale + x_tol)
        release_low = (current < 0) & ~pinned & (g < -g_tol)
        release_high = (current > 0) & (g > g_tol)
        wrong = below | above | release_low | release_high
        count = int(np.count_nonzero(wrong))
        if count == 0:
            if problem.a_s is not None and s <= 0.0:
                raise ActiveSetError("the homogenising scale is not positive at the solution")
            with np.errstate(invalid="ignore"):
                x = np.clip(x, lower * s, upper * s)
            return BoxQPSolution(x, s, nu, current, iteration, dx)
        if count < best:
            best, budget = count, _BLOCK_BUDGET
        elif budget > 0:
            budget -= 1
        else:  # Murty's rule: change only the last index that is wrong
            keep = np.flatnonzero(wrong)[-1]
            only = np.zeros(n, dtype=bool)
            only[keep] = True
            below, above = below & only, above & only
            release_low, release_high = release_low & only, release_high & only
        previous = current.copy()
        current[below] = -1
        current[above] = 1
        current[release_low | release_high] = 0
        if problem.budget is not None:
            diagonal = np.diagonal(problem.P) + ridge
            with np.errstate(divide="ignore", invalid="ignore"):
                desired = np.where(diagonal > 0, x - g / diagonal, x)
            _respect_budget(problem, current, desired / max(scale, 1e-300))
    raise ActiveSetError(f"no convergence after {limit} iterations")


def _check_equalities(problem: BoxQP, x: Floats, s: float) -> None:
    """Raise ActiveSetError when ``A x + s a_s = b`` does not hold (to rounding)."""
    residual = problem.A @ x - problem.b
    if problem.a_s is not None:
        residual = residual + s * problem.a_s
    size = np.abs(problem.A).max(axis=1) * float(np.abs(x).max(initial=0.0)) + np.abs(problem.b)
    if np.any(np.abs(residual) > 1e-9 * np.maximum(size, 1e-300)):
        raise ActiveSetError("the free variables cannot meet the equalities")


def _respect_budget(problem: BoxQP, state: States, desired: Floats) -> None:
    """Free (in place) bound variables until the budget can be met with the free variables
    inside their boxes: when the variables at their upper bounds (plus every other at its
    lower) already exceed it, those that want the least, by ``desired`` (where each variable
    would go on its own); when the variables at their lower bounds (plus every other at its
    upper) fall short, those that want the most."""
    budget = problem.budget
    assert budget is not None
    lower, upper = problem.lower, problem.upper
    if not (np.isfinite(lower).all() and np.isfinite(upper).all()):
        return
    at_upper, at_lower = state > 0, state < 0
    least = float(np.where(at_upper, upper, lower).sum())
    if least > budget:
        index = np.flatnonzero(at_upper)
        order = index[np.argsort(desired[index], kind="stable")]
        gained = np.cumsum((upper - lower)[order])
        count = int(np.searchsorted(gained, least - budget, side="left")) + 1
        state[order[:count]] = 0
        return
    most = float(np.where(at_lower, lower, upper).sum())
    if most < budget:
        index = np.flatnonzero(at_lower & (lower < upper))
        order = index[np.argsort(-desired[index], kind="stable")]
        gained = np.cumsum((upper - lower)[order])
        count = int(np.searchsorted(gained, budget - most, side="left")) + 1
        state[order[:count]] = 0


def _solve_equality(
    problem: BoxQP, q: Floats, state: States, ridge: float = 0.0
) -> tuple[Floats, float, Floats, Floats | None, Floats]:
    """The equality-constrained QP with the bound variables of ``state`` fixed.

    Returns x, s, nu, dx/dt (parametric problems only) and P x.
    """
    p_mat, a_mat, b = problem.P, problem.A, problem.b
    free = state == 0
    index = np.flatnonzero(free)
    fixed = np.where(state < 0, problem.lower, np.where(state > 0, problem.upper, 0.0))
    support = np.flatnonzero(fixed)
    d = p_mat[:, support] @ fixed[support] if support.size < p_mat.shape[0] // 2 else p_mat @ fixed
    if ridge:
        d = d + ridge * fixed
    m = a_mat.shape[0]
    a_free = a_mat[:, free]
    parametric = problem.dq is not None
    homogeneous = problem.a_s is not None
    # unknowns: x_free, then eta = (s, nu) or nu, in the KKT system
    # [[P_ff, C'], [C, D]] [x_free; eta] = [r; e]  (C: c_mat, D: d_mat)
    if homogeneous:
        assert problem.a_s is not None
        h = a_mat @ fixed + problem.a_s
        c_mat = np.vstack([d[free], a_free])
        d_mat = np.zeros((m + 1, m + 1))
        d_mat[0, 0] = fixed @ d
        d_mat[0, 1:] = h
        d_mat[1:, 0] = h
        r = q[free][:, None]
        e = np.concatenate([[q @ fixed], b])[:, None]
        if parametric:
            assert problem.dq is not None
            r = np.hstack([r, problem.dq[free][:, None]])
            e = np.hstack([e, np.concatenate([[problem.dq @ fixed], np.zeros(m)])[:, None]])
    else:
        c_mat = a_free
        d_mat = np.zeros((m, m))
        r = (q[free] - d[free])[:, None]
        e = (b - a_mat @ fixed)[:, None]
        if parametric:
            assert problem.dq is not None
            r = np.hstack([r, problem.dq[free][:, None]])
            e = np.hstack([e, np.zeros((m, 1))])
    # the free rows of P (P is symmetric: they are also its free columns)
    rows = p_mat if index.size == p_mat.shape[0] else p_mat[index]
    x_free, eta = _kkt(rows, index, c_mat, d_mat, r, e, ridge)
    s = float(eta[0, 0]) if homogeneous else 1.0
    nu = eta[1:, 0] if homogeneous else eta[:, 0]
    x = fixed * s
    x[free] = x_free[:, 0]
    px = x_free[:, 0] @ rows + d * s
    if ridge:
        px[free] += ridge * x_free[:, 0]
    dx = None
    if parametric:
        ds = float(eta[0, 1]) if homogeneous else 0.0
        dx = fixed * ds
        dx[free] = x_free[:, 1]
    return x, s, nu, dx, px


def _well_conditioned(matrix: Floats) -> bool:
    """Whether a small square matrix is safely invertible (condition number below _SINGULAR)."""
    if matrix.shape[0] == 1:
        return bool(matrix[0, 0] != 0.0 and np.isfinite(matrix[0, 0]))
    return bool(np.linalg.cond(matrix) < _SINGULAR)


def _kkt(
    rows: Floats,
    index: npt.NDArray[np.intp],
    c_mat: Floats,
    d_mat: Floats,
    r: Floats,
    e: Floats,
    ridge: float = 0.0,
) -> tuple[Floats, Floats]:
    """Solve [[P_ff, C'], [C, D]] [x; eta] = [r; e] (several right-hand sides; C is ``c_mat``,
    D is ``d_mat``), where P_ff is the block of the symmetric P on ``index`` (``rows`` are P's
    rows on ``index``).

    Cholesky of P_ff (LAPACK potrf) and a small Schur complement; a least-squares solve of the
    whole system when P_ff is singular.
    """
    k, cols = index.size, r.shape[1]
    if k > 0:
        # a fresh copy of the free block: potrf may overwrite it
        block = rows.copy() if k == rows.shape[1] else rows[:, index]
        if ridge:
            block.flat[:: k + 1] += ridge
        # P symmetric: the transpose is the same matrix, and Fortran-ordered (no copy in potrf)
        factor, info = _potrf(block.T, lower=1, clean=0, overwrite_a=1)
        if info == 0:
            z, _ = _potrs(factor, np.hstack([r, c_mat.T]), lower=1)
            y_r, y_c = z[:, :cols], z[:, cols:]
            schur = d_mat - c_mat @ y_c
            # a (numerically) singular Schur complement: the free variables cannot meet the
            # equalities on their own; the least-squares path below decides
            if _well_conditioned(schur):
                eta = np.linalg.solve(schur, e - c_mat @ y_r)
                return y_r - y_c @ eta, eta
    size = k + d_mat.shape[0]
    kkt = np.zeros((size, size))
    kkt[:k, :k] = rows[:, index] + ridge * np.eye(k)
    kkt[:k, k:] = c_mat.T
    kkt[k:, :k] = c_mat
    kkt[k:, k:] = d_mat
    rhs = np.vstack([r, e])
    sol, _, rank, _ = linalg.lstsq(kkt, rhs, check_finite=False)
    if rank < size and not np.allclose(kkt @ sol, rhs, atol=1e-9, rtol=1e-7):
        raise ActiveSetError("the equality-constrained subproblem is singular")
    return sol[:k], sol[k:]
