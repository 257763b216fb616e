"""Degrading explicitly: the solver chain, the named fallbacks, and the reasons recorded."""

from typing import Any

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest

from microfolio.errors import InfeasibleError, InvariantError, OptimizationError
from microfolio.optimize import (
    Constraints,
    EfficientFrontier,
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)
from microfolio.optimize.solvers import ActiveSetError, fast

TICKERS = ["A", "B", "C", "D"]
GROUPS = Constraints(groups={"ab": ["A", "B"]}, group_upper={"ab": 0.5})


def _moments(mu: list[float] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(8)
    loadings = rng.normal(0.0, 0.2, (4, 2))
    cov = loadings @ loadings.T + np.diag([0.04, 0.05, 0.06, 0.03])
    mean = [0.05, 0.07, 0.09, 0.04] if mu is None else mu
    return pd.DataFrame(cov, TICKERS, TICKERS), pd.Series(mean, TICKERS)


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Solvers named in the yielded set raise SolverError when cvxpy calls them."""
    broken: set[str] = set()
    solve = cp.Problem.solve

    def patched(self: cp.Problem, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("solver") in broken:
            raise cp.error.SolverError(f"{kwargs['solver']} is broken for this test")
        return solve(self, *args, **kwargs)

    monkeypatch.setattr(cp.Problem, "solve", patched)
    return broken


@pytest.mark.parametrize("solver", ["auto", "fast", "cvxpy"])
def test_max_sharpe_with_every_return_below_the_risk_free_rate_falls_back(solver: str) -> None:
    cov, mu = _moments([0.005, 0.012, -0.01, 0.0])

    model = MaxSharpe(risk_free_rate=0.02, solver=solver).fit_moments(cov, mu)
    low = MinVariance().fit_moments(cov)

    assert model.fallback_chain_ == (
        "max_sharpe: every expected return (max 1.2%) is at or below the risk-free rate 2.0%",
        "fallback:min_variance: ok",
    )
    assert model.solver_ == "fallback:min_variance"
    np.testing.assert_allclose(model.weights_.to_numpy(), low.weights_.to_numpy(), atol=1e-12)


def test_max_sharpe_without_a_fallback_raises_the_reason() -> None:
    cov, mu = _moments([0.005, 0.012, -0.01, 0.0])

    with pytest.raises(OptimizationError, match=r"at or below the risk-free rate 2\.0%"):
        MaxSharpe(risk_free_rate=0.02, fallback=None).fit_moments(cov, mu)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_max_sharpe_when_only_a_forbidden_asset_beats_the_risk_free_rate(solver: str) -> None:
    cov, mu = _moments([0.01, 0.01, 0.01, 0.08])
    no_d = Constraints(upper={"D": 0.0})

    model = MaxSharpe(constraints=no_d, risk_free_rate=0.02, solver=solver).fit_moments(cov, mu)

    assert model.fallback_chain_[-2].startswith(
        "max_sharpe: no portfolio the constraints allow has an expected return above the "
        "risk-free rate 2.0% (the most is 1.0%)"
    )
    assert model.fallback_chain_[-1] == "fallback:min_variance: ok"
    assert model.weights_["D"] == 0.0


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_target_volatility_below_the_minimum_says_so(solver: str) -> None:
    cov, mu = _moments()
    lowest = MinVariance().fit_moments(cov).explain().volatility

    model = TargetVolatility(0.05, solver=solver).fit_moments(cov, mu)

    assert model.fallback_chain_[-2] == (
        f"target_vol: even the minimum-variance portfolio has volatility {lowest:.1%}, above "
        "the target 5.0%"
    )
    assert model.solver_ == "fallback:min_variance"
    with pytest.raises(InfeasibleError, match="even the minimum-variance portfolio"):
        TargetVolatility(0.05, solver=solver, fallback=None).fit_moments(cov, mu)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_target_return_above_the_maximum_gives_the_maximum(solver: str) -> None:
    cov, mu = _moments()
    capped = Constraints(upper=0.5)  # best: half in C (9%), half in B (7%) = 8%

    model = TargetReturn(0.12, constraints=capped, solver=solver).fit_moments(cov, mu)

    assert model.fallback_chain_[-2] == (
        "target_return: the target 12.0% is above the highest expected return the "
        "constraints allow, 8.0%"
    )
    with pytest.raises(InfeasibleError, match="highest expected return the constraints allow"):
        TargetReturn(0.12, constraints=capped, solver=solver, fallback=None).fit_moments(cov, mu)


def test_the_chain_moves_on_when_the_first_solver_fails(failing: set[str]) -> None:
    failing.add("CLARABEL")

    model = MinVariance(constraints=GROUPS).fit_moments(*_moments())

    assert model.fallback_chain_ == (
        "cvxpy:CLARABEL: failed (CLARABEL is broken for this test)",
        "cvxpy:OSQP: ok",
    )
    assert model.solver_ == "cvxpy:OSQP"
    assert model.weights_[["A", "B"]].sum() <= 0.5 + 1e-8


def test_the_chain_records_every_solver_in_order(failing: set[str]) -> None:
    failing.update({"CLARABEL", "OSQP"})

    model = MaxSharpe(constraints=GROUPS).fit_moments(*_moments())

    assert [entry.split(":")[1] for entry in model.fallback_chain_] == [
        "CLARABEL",
        "OSQP",
        "SCS",
    ]
    assert model.fallback_chain_[-1] == "cvxpy:SCS: ok"


def test_when_every_solver_fails_the_named_fallback_still_meets_the_constraints(
    failing: set[str],
) -> None:
    failing.update({"CLARABEL", "OSQP", "SCS"})

    model = MaxSharpe(constraints=GROUPS).fit_moments(*_moments())

    assert model.fallback_chain_[-2:] == (
        "fallback:min_variance: failed",
        "fallback:equal_weight: ok",
    )
    assert model.solver_ == "fallback:equal_weight"
    assert GROUPS.resolve(TICKERS).violation(model.weights_.to_numpy()) <= 1e-8
    # the closest allowed portfolio to equal weights: A + B capped at 0.5
    assert model.weights_[["A", "B"]].sum() == pytest.approx(0.5, abs=1e-8)


def test_without_a_fallback_a_failed_chain_raises(failing: set[str]) -> None:
    failing.update({"CLARABEL", "OSQP", "SCS"})

    with pytest.raises(OptimizationError, match="no solver produced weights"):
        MinVariance(constraints=GROUPS, fallback=None).fit_moments(*_moments())


def test_a_fast_path_failure_goes_on_to_cvxpy(monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(*args: object, **kwargs: object) -> fast.FastSolution:
        raise ActiveSetError("no convergence after 99 iterations")

    monkeypatch.setattr(fast, "min_variance", stuck)

    model = MinVariance().fit_moments(_moments()[0])

    assert model.fallback_chain_ == (
        "active_set: no convergence after 99 iterations",
        "cvxpy:CLARABEL: ok",
    )


def test_a_forced_fast_path_that_fails_ends_on_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def stuck(*args: object, **kwargs: object) -> fast.FastSolution:
        raise ActiveSetError("no convergence after 99 iterations")

    monkeypatch.setattr(fast, "utility", stuck)

    model = MeanVarianceUtility(2.0, solver="fast").fit_moments(*_moments())

    assert model.fallback_chain_ == (
        "active_set: no convergence after 99 iterations",
        "fallback:min_variance: ok",
    )


def test_equal_weight_fallback_with_bounds_only_is_the_projection() -> None:
    cov, _mu = _moments([0.0, 0.0, 0.0, 0.0])
    capped = Constraints(upper={"A": 0.1})

    model = MinVariance(constraints=capped, fallback="equal_weight")
    model._fast = lambda *args: (_ for _ in ()).throw(ActiveSetError("stuck"))  # type: ignore[method-assign]
    model._cvxpy = lambda *args: None  # type: ignore[method-assign]
    model.fit_moments(cov)

    np.testing.assert_allclose(model.weights_.to_numpy(), [0.1, 0.3, 0.3, 0.3], atol=1e-15)
    assert model.fallback_chain_[-1] == "fallback:equal_weight: ok"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MinVariance(solver="magic"), "solver must be one of auto, fast, cvxpy"),
        (lambda: MinVariance(fallback="cash"), "fallback must be one of min_variance"),
        (lambda: MeanVarianceUtility(0.0), "risk_aversion must be > 0"),
        (lambda: TargetVolatility(-0.1), "target_volatility must be > 0"),
        (lambda: TargetReturn(float("nan")), "target_return must be finite"),
        (lambda: EfficientFrontier(1), "n_points must be an integer >= 2"),
    ],
)
def test_bad_parameters_are_refused_in_words(make: Any, message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        make().fit_moments(*_moments())
