from __future__ import annotations

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from microfolio.errors import InvariantError
from microfolio.optimize import EqualRiskContribution, RiskBudgeting
from microfolio.optimize.constraints import Constraints
from microfolio.optimize.risk_parity import (
    risk_budget_ccd,
    risk_budget_newton,
    risk_contribution_error,
)


def _frame(cov: np.ndarray) -> pd.DataFrame:
    names = [f"A{i}" for i in range(len(cov))]
    return pd.DataFrame(cov, index=names, columns=names)


def _random_cov(n: int, seed: int, observations: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    beta = rng.normal(1.0, 0.3, (n, 1))
    x = rng.normal(size=(observations, 1)) @ beta.T * 0.01 + rng.normal(
        size=(observations, n)
    ) * rng.uniform(0.005, 0.03, n)
    return np.cov(x, rowvar=False) * 252


def _long_short_factor_cov(n: int = 30) -> np.ndarray:
    """Three large long-short factors: coordinate descent crawls here."""
    rng = np.random.default_rng(1)
    loadings = rng.normal(0.0, 0.16, (n, 3))
    return loadings @ loadings.T + np.diag(rng.uniform(0.01, 0.03, n) ** 2)


def _contributions(w: np.ndarray, cov: np.ndarray) -> np.ndarray:
    marginal = cov @ w
    return w * marginal / (w @ marginal)


def _cvxpy_reference(cov: np.ndarray, budgets: np.ndarray) -> np.ndarray:
    """Spinu's convex problem written out in cvxpy, independent of the module."""
    y = cp.Variable(len(budgets), pos=True)
    objective = 0.5 * cp.quad_form(y, cp.psd_wrap(cov)) - budgets @ cp.log(y)
    cp.Problem(cp.Minimize(objective)).solve(
        solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12
    )
    value = np.asarray(y.value)
    return value / value.sum()


# -- the risk contributions --------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["auto", "newton", "ccd"])
def test_risk_contributions_equal_the_budgets(algorithm: str) -> None:
    cov = _random_cov(40, seed=2)
    budgets = np.linspace(1.0, 3.0, 40)
    budgets /= budgets.sum()

    model = RiskBudgeting(budgets=list(budgets), algorithm=algorithm).fit_moments(_frame(cov))  # type: ignore[arg-type]

    w = model.weights_.to_numpy()
    np.testing.assert_allclose(_contributions(w, cov), budgets, rtol=1e-8)
    np.testing.assert_allclose(model.explain().risk_contributions.to_numpy(), budgets, rtol=1e-8)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


def test_erc_equalises_the_contributions_and_says_how() -> None:
    cov = _random_cov(25, seed=3)

    model = EqualRiskContribution().fit_moments(_frame(cov))

    contributions = model.explain().risk_contributions.to_numpy()
    np.testing.assert_allclose(contributions, np.full(25, 1 / 25), rtol=1e-8)
    assert len(model.fallback_chain_) == 1
    assert model.fallback_chain_[0].startswith("ccd: ok (")
    assert model.solver_ == "ccd"
    assert model.method == "erc"


def test_two_uncorrelated_assets_are_weighted_one_over_sigma() -> None:
    cov = np.diag([0.1**2, 0.3**2])

    w = EqualRiskContribution().fit_moments(_frame(cov)).weights_.to_numpy()

    np.testing.assert_allclose(w, [0.75, 0.25], rtol=1e-10)


def test_two_correlated_assets_are_still_one_over_sigma() -> None:
    # with two assets the ERC portfolio does not depend on the correlation
    vol = np.array([0.15, 0.05])
    cov = np.array([[1.0, 0.6], [0.6, 1.0]]) * np.outer(vol, vol)

    w = EqualRiskContribution().fit_moments(_frame(cov)).weights_.to_numpy()

    np.testing.assert_allclose(w, [0.25, 0.75], rtol=1e-10)


def test_two_uncorrelated_assets_with_budgets_follow_root_budget_over_sigma() -> None:
    # RC_i = w_i^2 sigma_i^2 / var = b_i  =>  w_i proportional to sqrt(b_i) / sigma_i
    sigma = np.array([0.1, 0.3])
    budgets = {"A0": 0.8, "A1": 0.2}

    w = RiskBudgeting(budgets=budgets).fit_moments(_frame(np.diag(sigma**2))).weights_

    raw = np.sqrt([0.8, 0.2]) / sigma
    np.testing.assert_allclose(w.to_numpy(), raw / raw.sum(), rtol=1e-10)


def test_agrees_with_a_cvxpy_solve_of_the_same_problem() -> None:
    cov = _random_cov(30, seed=5)
    budgets = np.random.default_rng(5).uniform(0.5, 2.0, 30)
    budgets /= budgets.sum()

    w = RiskBudgeting(budgets=list(budgets)).fit_moments(_frame(cov)).weights_.to_numpy()

    np.testing.assert_allclose(w, _cvxpy_reference(cov, budgets), rtol=1e-7, atol=1e-10)


def test_newton_and_coordinate_descent_find_the_same_portfolio() -> None:
    cov = _random_cov(60, seed=6)
    budgets = np.full(60, 1 / 60)

    newton, steps = risk_budget_newton(cov, budgets)
    ccd, sweeps, error = risk_budget_ccd(cov, budgets)

    np.testing.assert_allclose(newton, ccd, rtol=1e-9)
    assert error <= 1e-10
    assert risk_contribution_error(newton, cov, budgets) <= 1e-10
    assert steps < 20
    assert sweeps < 100


def test_auto_hands_a_slow_coordinate_descent_to_newton() -> None:
    cov = _long_short_factor_cov()

    model = EqualRiskContribution().fit_moments(_frame(cov))

    chain = model.fallback_chain_
    assert chain[0].startswith("ccd: slow (error")
    assert chain[1].startswith("newton: ok (")
    assert model.solver_ == "newton"
    np.testing.assert_allclose(
        model.explain().risk_contributions.to_numpy(), np.full(30, 1 / 30), rtol=1e-8
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 30), st.integers(0, 10_000))
def test_budgets_are_met_on_any_covariance(n: int, seed: int) -> None:
    cov = _random_cov(n, seed, observations=max(n + 5, 40))
    budgets = np.random.default_rng(seed).uniform(0.1, 1.0, n)
    budgets /= budgets.sum()

    w = RiskBudgeting(budgets=list(budgets)).fit_moments(_frame(cov)).weights_.to_numpy()

    assert np.all(w > 0)
    np.testing.assert_allclose(_contributions(w, cov), budgets, rtol=1e-8)


# -- budgets and constraints -------------------------------------------------------------------


def test_min_cash_scales_the_weights_and_keeps_the_risk_shares() -> None:
    cov = _random_cov(10, seed=7)

    full = EqualRiskContribution().fit_moments(_frame(cov)).weights_
    kept = EqualRiskContribution(constraints=Constraints(min_cash=0.2)).fit_moments(_frame(cov))

    assert kept.cash_ == 0.2
    np.testing.assert_allclose(kept.weights_.to_numpy(), 0.8 * full.to_numpy(), rtol=1e-12)
    assert kept.fallback_chain_[0].startswith("ccd: ok")


def test_a_zero_budget_gets_no_weight() -> None:
    cov = _random_cov(5, seed=8)
    budgets = {"A0": 0.5, "A1": 0.25, "A2": 0.25}  # A3, A4 left out: zero

    model = RiskBudgeting(budgets=budgets).fit_moments(_frame(cov))

    w = model.weights_
    assert w["A3"] == w["A4"] == 0.0
    np.testing.assert_allclose(
        model.explain().risk_contributions.to_numpy(), [0.5, 0.25, 0.25, 0, 0], atol=1e-9
    )
    assert model.budgets_.to_dict() == {"A0": 0.5, "A1": 0.25, "A2": 0.25, "A3": 0.0, "A4": 0.0}


def test_loose_caps_keep_the_fast_path() -> None:
    cov = _random_cov(10, seed=9)

    model = EqualRiskContribution(constraints=Constraints(upper=0.5)).fit_moments(_frame(cov))

    assert model.fallback_chain_[0].startswith("ccd: ok")
    assert len(model.fallback_chain_) == 1


def test_a_binding_cap_falls_back_to_cvxpy_and_holds() -> None:
    vol = np.array([0.05, 0.2, 0.25, 0.3, 0.35])
    corr = np.full((5, 5), 0.3)
    np.fill_diagonal(corr, 1.0)
    cov = corr * np.outer(vol, vol)
    free = EqualRiskContribution().fit_moments(_frame(cov)).weights_
    assert free["A0"] > 0.4  # the low-volatility asset takes the most

    model = EqualRiskContribution(constraints=Constraints(upper=0.3, min_cash=0.05)).fit_moments(
        _frame(cov)
    )

    w = model.weights_
    chain = model.fallback_chain_
    assert "breaks a constraint (A0 weight" in chain[1]
    assert chain[-1] == "cvxpy:CLARABEL: ok"
    assert model.solver_ == "cvxpy:CLARABEL"
    assert w.max() <= 0.3 + 1e-7
    assert w["A0"] == pytest.approx(0.3, abs=1e-6)
    assert w.sum() + model.cash_ == pytest.approx(1.0, abs=1e-9)
    # the uncapped assets keep their ERC proportions among themselves (here: 1/sigma-like order)
    assert w["A1"] > w["A2"] > w["A3"] > w["A4"] > 0


def test_a_group_cap_is_met_through_cvxpy() -> None:
    cov = _random_cov(6, seed=10)
    constraints = Constraints(groups={"g": ["A0", "A1", "A2"]}, group_upper={"g": 0.3})

    model = EqualRiskContribution(constraints=constraints).fit_moments(_frame(cov))

    w = model.weights_
    assert w[["A0", "A1", "A2"]].sum() <= 0.3 + 1e-7
    assert w.sum() == pytest.approx(1.0, abs=1e-9)
    assert model.fallback_chain_[-1].startswith("cvxpy:")


# -- the contract ------------------------------------------------------------------------------


def test_fit_on_returns() -> None:
    rng = np.random.default_rng(11)
    returns = pd.DataFrame(rng.normal(0, 0.01, (300, 4)) * [1, 2, 3, 4], columns=list("WXYZ"))

    model = EqualRiskContribution().fit(returns)

    assert model.weights_.sum() == pytest.approx(1.0)
    assert list(model.weights_.index) == list("WXYZ")
    assert model.weights_.is_monotonic_decreasing


def test_parameters_follow_the_estimator_contract() -> None:
    model = RiskBudgeting(budgets={"A": 1.0}, tol=1e-12)

    assert clone(model).get_params() == {
        "budgets": {"A": 1.0},
        "constraints": None,
        "algorithm": "auto",
        "tol": 1e-12,
        "cov_estimator": None,
    }
    assert set(EqualRiskContribution().get_params()) == {
        "constraints",
        "algorithm",
        "tol",
        "cov_estimator",
    }


def test_bad_budgets_and_algorithms_are_refused_in_words() -> None:
    cov = _frame(_random_cov(3, seed=12))

    with pytest.raises(InvariantError, match="unknown tickers: ZZZ"):
        RiskBudgeting(budgets={"ZZZ": 1.0}).fit_moments(cov)
    with pytest.raises(InvariantError, match=r"finite and >= 0 \(bad: A1\)"):
        RiskBudgeting(budgets=[0.5, -0.1, 0.6]).fit_moments(cov)
    with pytest.raises(InvariantError, match="3 assets"):
        RiskBudgeting(budgets=[0.5, 0.5]).fit_moments(cov)
    with pytest.raises(InvariantError, match="algorithm must be one of"):
        RiskBudgeting(algorithm="magic").fit_moments(cov)  # type: ignore[arg-type]


def test_zero_budgets_stay_empty_on_the_cvxpy_path() -> None:
    vol = np.array([0.05, 0.2, 0.25, 0.3])
    cov = np.diag(vol**2)
    budgets = {"A0": 0.4, "A1": 0.3, "A2": 0.3}  # A3: zero

    model = RiskBudgeting(budgets=budgets, constraints=Constraints(upper=0.5)).fit_moments(
        _frame(cov)
    )

    w = model.weights_
    assert model.fallback_chain_[-1] == "cvxpy:CLARABEL: ok"
    assert w["A3"] == 0.0
    assert w["A0"] == pytest.approx(0.5, abs=1e-6)
    assert w.sum() == pytest.approx(1.0, abs=1e-9)


def test_a_turnover_cap_is_met_through_cvxpy() -> None:
    cov = _random_cov(5, seed=13)
    current = {"A0": 0.6, "A1": 0.1, "A2": 0.1, "A3": 0.1, "A4": 0.1}
    free = EqualRiskContribution().fit_moments(_frame(cov)).weights_
    needed = float(np.abs(free.to_numpy() - np.array(list(current.values()))).sum())
    constraints = Constraints(current=current, max_turnover=needed / 2)

    model = EqualRiskContribution(constraints=constraints).fit_moments(_frame(cov))

    turnover = float(np.abs(model.weights_.to_numpy() - np.array(list(current.values()))).sum())
    assert "breaks a constraint (turnover" in model.fallback_chain_[1]
    assert turnover <= needed / 2 + 1e-7
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-9)
