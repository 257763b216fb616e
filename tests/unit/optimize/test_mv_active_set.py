"""The active-set engine: its answers satisfy the KKT conditions, whatever path it took."""

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from microfolio.optimize import Constraints
from microfolio.optimize.solvers import active_set, fast
from microfolio.optimize.solvers.active_set import BoxQP, BoxQPSolution, solve_box_qp

Floats = npt.NDArray[np.float64]


def _covariance(rng: np.random.Generator, n: int, twins: bool = False) -> Floats:
    k = max(1, n // 4)
    loadings = rng.normal(0.0, 0.2, (n, k))
    specific = rng.uniform(0.05, 0.3, n) ** 2
    if twins and n > 2:
        loadings[1::2] = loadings[::2][: n // 2] + 1e-3 * rng.normal(size=(n // 2, k))
        specific[1::2] = specific[::2][: n // 2] * 0.01
    return loadings @ loadings.T + np.diag(specific)


def _assert_kkt(problem: BoxQP, sol: BoxQPSolution, t: float = 0.0) -> None:
    """Primal feasibility, stationarity on the free set, multiplier signs on the bounds."""
    x, s = sol.x, sol.s
    scale = float(np.abs(x).max()) + 1e-12
    assert (x >= problem.lower * s - 1e-12 * scale).all()
    assert (x <= problem.upper * s + 1e-12 * scale).all()
    residual = problem.A @ x - problem.b + (s * problem.a_s if problem.a_s is not None else 0.0)
    assert np.abs(residual).max() <= 1e-10 * (1.0 + np.abs(problem.b).max())
    q = problem.q if problem.dq is None else problem.q + t * problem.dq
    g = problem.P @ x - q + problem.A.T @ sol.nu
    size = float(np.abs(problem.P).max()) * scale + float(np.abs(q).max()) + 1e-12
    free = sol.state == 0
    assert np.abs(g[free]).max(initial=0.0) <= 1e-8 * size
    assert (g[sol.state < 0] >= -1e-8 * size).all()  # at a lower bound: may only want to rise
    assert (g[sol.state > 0] <= 1e-8 * size).all()  # at an upper bound: may only want to fall


def _budget_problem(cov: Floats, q: Floats, lower: Floats, upper: Floats) -> BoxQP:
    n = cov.shape[0]
    return BoxQP(
        P=cov, q=q, A=np.ones((1, n)), b=np.array([1.0]), lower=lower, upper=upper, budget_row=0
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 60),
    cap=st.floats(0.0, 1.0),
    aversion=st.sampled_from([0.0, 0.5, 3.0, 30.0]),
    twins=st.booleans(),
)
def test_budget_problems_end_at_a_kkt_point(
    seed: int, n: int, cap: float, aversion: float, twins: bool
) -> None:
    rng = np.random.default_rng(seed)
    cov = _covariance(rng, n, twins)
    upper = np.full(n, max(cap, 1.0 / n + 1e-3))
    q = aversion * rng.normal(0.06, 0.05, n)

    problem = _budget_problem(cov, q, np.zeros(n), upper)
    solution = solve_box_qp(problem)

    _assert_kkt(problem, solution)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 60), cap=st.floats(0.05, 1.0))
@example(seed=178, n=3, cap=0.25)  # no allowed portfolio beats the risk-free rate: skipped
@example(seed=6, n=3, cap=0.05)
@example(seed=1, n=3, cap=0.5)  # every asset at a bound: the budget multiplier is an interval
def test_max_sharpe_meets_the_tangency_conditions(seed: int, n: int, cap: float) -> None:
    # w maximises excess'w / sqrt(w'Sw) iff it solves min 1/2 w'Sw - t excess'w on the budget
    # and bounds with t = w'Sw / excess'w: check the KKT conditions of that problem at w
    rng = np.random.default_rng(seed)
    cov = _covariance(rng, n)
    excess = rng.normal(0.03, 0.05, n)
    excess[0] = abs(excess[0]) + 0.01  # some excess return is positive
    upper = np.full(n, max(cap, 1.0 / n + 1e-3))
    rc = Constraints(upper=upper[0]).resolve([f"A{i}" for i in range(n)])
    # as MaxSharpe checks first: some allowed portfolio beats the risk-free rate
    assume(float(excess @ fast.max_return(excess, cov, rc)) > 1e-9)

    w = fast.max_sharpe(excess, cov, rc).weights

    t = float(w @ cov @ w) / float(excess @ w)
    problem = _budget_problem(cov, t * excess, np.zeros(n), upper)
    state = np.where(w <= 1e-12, -1, np.where(w >= upper - 1e-12, 1, 0)).astype(np.int8)
    free = state == 0
    pull = t * excess - cov @ w  # stationarity: the budget multiplier equals this on free assets
    if free.any():
        nu = np.array([float(np.mean(pull[free]))])
    else:
        # every asset at a bound: any multiplier between these ends satisfies the sign conditions
        # (checked by _assert_kkt); take the low end, or the high end when no asset is at zero
        low = pull[state < 0].max(initial=-np.inf)
        nu = np.array([float(low if np.isfinite(low) else pull[state > 0].min())])
    _assert_kkt(problem, BoxQPSolution(w, 1.0, nu, state, 0))


def test_the_continuation_and_primal_phases_still_reach_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(1)
    cov = _covariance(rng, 30, twins=True)
    problem = _budget_problem(cov, 3.0 * rng.normal(0.06, 0.05, 30), np.zeros(30), np.full(30, 0.1))
    reference = solve_box_qp(problem)
    # PDAS on the problem itself "fails" (first and last): the continuation stages run, then
    # the primal method finishes from the last stage's (feasible) solution
    original = active_set._pdas

    def without_final(problem: BoxQP, t: float, state, ridge: float, limit: int):  # type: ignore[no-untyped-def]
        if ridge == 0.0:
            raise active_set.ActiveSetError("forced")
        return original(problem, t, state, ridge, limit)

    monkeypatch.setattr(active_set, "_pdas", without_final)

    solution = solve_box_qp(problem)

    _assert_kkt(problem, solution)
    np.testing.assert_allclose(solution.x, reference.x, atol=1e-10)


def test_a_warm_start_with_too_few_free_variables_is_repaired() -> None:
    # two equalities (budget and return) and a start with one free variable: the reduced
    # system is singular, so the start is undone rather than trusted
    cov = np.array([[0.49, 0.13, -0.05], [0.13, 0.15, 0.02], [-0.05, 0.02, 0.05]])
    mu = np.array([0.057, 0.051, 0.056])
    rc = Constraints(upper=2.0 / 3.0).resolve(["A", "B", "C"])
    low = fast.min_variance(cov, rc)
    goal = float(mu @ low.weights) + 0.001

    point = fast.target_return(mu, cov, rc, goal, state=np.array([0, 1, 1], dtype=np.int8))

    assert float(mu @ point.weights) == pytest.approx(goal, abs=1e-12)
    assert point.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_large_problems_start_from_a_screened_active_set() -> None:
    rng = np.random.default_rng(3)
    n = 400
    cov = _covariance(rng, n)
    problem = _budget_problem(cov, np.zeros(n), np.zeros(n), np.full(n, 0.05))

    start = active_set._screen(problem, 0.0)
    solution = solve_box_qp(problem)

    assert 0 < int((start == 0).sum()) < n  # fewer free variables than the whole problem
    _assert_kkt(problem, solution)


def test_the_parametric_slope_is_the_derivative_of_the_path() -> None:
    rng = np.random.default_rng(4)
    cov = _covariance(rng, 12)
    mu = rng.normal(0.06, 0.04, 12)
    problem = BoxQP(
        P=cov,
        q=np.zeros(12),
        dq=mu,
        A=np.ones((1, 12)),
        b=np.array([1.0]),
        lower=np.zeros(12),
        upper=np.full(12, 0.3),
        budget_row=0,
    )
    here = solve_box_qp(problem, t=0.2)
    nearby = solve_box_qp(problem, t=0.2 + 1e-7, state=here.state)
    assert here.dx is not None

    assert (nearby.state == here.state).all()
    np.testing.assert_allclose((nearby.x - here.x) / 1e-7, here.dx, atol=1e-6)


def test_a_feasible_hint_rescues_a_struggling_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(6)
    n = 40
    cov = _covariance(rng, n)
    mu = rng.normal(0.06, 0.05, n)
    rc = Constraints(upper=0.05).resolve([f"A{i}" for i in range(n)])
    low, top = fast.min_variance(cov, rc), fast.max_return(mu, cov, rc)
    goal = 0.3 * float(mu @ low.weights) + 0.7 * float(mu @ top)
    reference = fast.target_return(mu, cov, rc, goal)
    monkeypatch.setattr(active_set, "_PLAIN_LIMIT", -n)  # plain PDAS gives up at once

    point = fast.target_return(mu, cov, rc, goal, between=(low.weights, top))

    np.testing.assert_allclose(point.weights, reference.weights, atol=1e-10)


@pytest.mark.parametrize("seed", [147, 223, 297])
def test_max_sharpe_falls_back_to_the_path_search_when_the_scale_turns_negative(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # problems where the homogenised PDAS meets a negative scale (found by search)
    rng = np.random.default_rng(seed)
    n, cap = int(rng.integers(3, 40)), float(rng.uniform(0.05, 1.0))
    cov = _covariance(rng, n)
    excess = rng.normal(0.03, 0.05, n)
    excess[0] = abs(excess[0]) + 0.01
    rc = Constraints(upper=max(cap, 1.0 / n + 1e-3)).resolve([f"A{i}" for i in range(n)])
    used = []
    path = fast._max_sharpe_on_path
    monkeypatch.setattr(fast, "_max_sharpe_on_path", lambda *a: used.append(1) or path(*a))

    w = fast.max_sharpe(excess, cov, rc).weights

    assert used
    best = float(excess @ w) / float(np.sqrt(w @ cov @ w))
    for _ in range(200):  # no allowed portfolio nearby does better
        other = np.clip(w + rng.normal(0.0, 0.01, n), 0.0, rc.upper)
        other = other / other.sum()
        if (other <= rc.upper + 1e-12).all():
            assert float(excess @ other) / float(np.sqrt(other @ cov @ other)) <= best + 1e-12
