"""Mean-variance optimisers against answers computed by hand or in closed form."""

import numpy as np
import pandas as pd
import pytest

from microfolio.optimize import (
    Constraints,
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)

TICKERS = ["A", "B", "C"]
# three uncorrelated assets with volatilities 20%, 30% and 40%
COV = pd.DataFrame(np.diag([0.04, 0.09, 0.16]), index=TICKERS, columns=TICKERS)
MU = pd.Series([0.08, 0.10, 0.12], index=TICKERS)


def _factor_problem(n: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.15, (n, 3))
    cov = loadings @ loadings.T + np.diag(rng.uniform(0.1, 0.3, n) ** 2)
    tickers = [f"S{i}" for i in range(n)]
    return (
        pd.DataFrame(cov, index=tickers, columns=tickers),
        pd.Series(rng.normal(0.07, 0.03, n), index=tickers),
    )


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_min_variance_of_uncorrelated_assets_is_inverse_variance(solver: str) -> None:
    # 1/0.04 : 1/0.09 : 1/0.16 = 25 : 100/9 : 6.25, over their sum 42.3611...
    inverse = np.array([25.0, 100.0 / 9.0, 6.25])

    model = MinVariance(solver=solver).fit_moments(COV)

    np.testing.assert_allclose(model.weights_.to_numpy(), inverse / inverse.sum(), atol=1e-8)
    assert model.cash_ == 0.0


def test_min_variance_without_binding_bound_is_the_closed_form_in_one_step() -> None:
    model = MinVariance(solver="fast").fit_moments(COV)

    assert model.solver_ == "closed_form"
    assert model.fallback_chain_ == ("closed_form: ok (1 iteration)",)


def test_two_correlated_assets_match_the_textbook_formula() -> None:
    # w1 = (s2^2 - rho s1 s2) / (s1^2 + s2^2 - 2 rho s1 s2) with s1 = 10%, s2 = 20%, rho = 0.2
    cov = pd.DataFrame([[0.01, 0.004], [0.004, 0.04]], index=["X", "Y"], columns=["X", "Y"])

    model = MinVariance().fit_moments(cov)

    assert model.weights_["X"] == pytest.approx(0.036 / 0.042, abs=1e-12)
    assert model.weights_["Y"] == pytest.approx(0.006 / 0.042, abs=1e-12)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_min_variance_with_a_binding_cap_by_hand(solver: str) -> None:
    # unconstrained A would get 0.59 > 0.5: A sits at its cap and B, C share the other half
    # in inverse-variance proportion 100/9 : 6.25, i.e. 0.32 and 0.18; A's marginal variance
    # 0.04 * 0.5 = 0.02 is below B's and C's 0.0288, so the cap binds (KKT by hand)
    model = MinVariance(constraints=Constraints(upper=0.5), solver=solver).fit_moments(COV)

    np.testing.assert_allclose(model.weights_.to_numpy(), [0.5, 0.32, 0.18], atol=1e-8)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_max_sharpe_of_uncorrelated_assets_by_hand(solver: str) -> None:
    # w ~ S^-1 (mu - rf) = (0.06/0.04, 0.08/0.09, 0.10/0.16) = (1.5, 0.8889, 0.625)
    raw = np.array([1.5, 0.08 / 0.09, 0.625])

    model = MaxSharpe(risk_free_rate=0.02, solver=solver).fit_moments(COV, MU)

    np.testing.assert_allclose(model.weights_.to_numpy(), raw / raw.sum(), atol=1e-8)


def test_max_sharpe_without_binding_bound_is_the_closed_form() -> None:
    cov, _ = _factor_problem(8, seed=3)
    # expected returns implied by a long-only tangency portfolio (reverse optimisation)
    tangent = np.random.default_rng(3).uniform(0.05, 0.2, 8)
    mu = pd.Series(0.01 + cov.to_numpy() @ tangent, index=cov.index)
    raw = np.linalg.solve(cov.to_numpy(), mu.to_numpy() - 0.01)

    model = MaxSharpe(risk_free_rate=0.01, solver="fast").fit_moments(cov, mu)

    assert model.solver_ == "closed_form"
    np.testing.assert_allclose(model.weights_.to_numpy(), raw / raw.sum(), atol=1e-12)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_utility_of_uncorrelated_assets_by_hand(solver: str) -> None:
    # w_i = (mu_i - nu) / (lambda s_i^2) with nu set by the budget; lambda = 4:
    # sum (mu_i - nu) / (4 s_i^2) = 1  ->  nu = (sum mu_i / s_i^2 - 4) / sum 1 / s_i^2
    inverse = 1.0 / np.diag(COV.to_numpy())
    nu = (float(MU.to_numpy() @ inverse) - 4.0) / float(inverse.sum())
    expected = (MU.to_numpy() - nu) * inverse / 4.0
    assert (expected > 0).all()

    model = MeanVarianceUtility(4.0, solver=solver).fit_moments(COV, MU)

    np.testing.assert_allclose(model.weights_.to_numpy(), expected, atol=1e-8)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_target_return_matches_the_two_multiplier_closed_form(solver: str) -> None:
    # min w'Sw s.t. 1'w = 1, mu'w = r: w = S^-1 [1 mu] M^-1 [1 r], M = [1 mu]' S^-1 [1 mu]
    inv = np.linalg.inv(COV.to_numpy())
    ones_mu = np.column_stack([np.ones(3), MU.to_numpy()])
    m = ones_mu.T @ inv @ ones_mu
    expected = inv @ ones_mu @ np.linalg.solve(m, [1.0, 0.10])

    model = TargetReturn(0.10, solver=solver).fit_moments(COV, MU)

    np.testing.assert_allclose(model.weights_.to_numpy(), expected, atol=1e-8)
    assert model.explain().expected_return == pytest.approx(0.10, abs=1e-9)


def test_target_return_below_the_min_variance_return_is_min_variance() -> None:
    low = MinVariance().fit_moments(COV)

    model = TargetReturn(0.05).fit_moments(COV, MU)

    np.testing.assert_allclose(model.weights_.to_numpy(), low.weights_.to_numpy(), atol=1e-12)


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_target_volatility_lands_on_the_frontier_point_with_that_volatility(solver: str) -> None:
    cov, mu = _factor_problem(12, seed=11)
    caps = Constraints(upper=0.3)
    point = TargetReturn(0.08, constraints=caps, solver="fast").fit_moments(cov, mu)
    volatility = point.explain().volatility

    model = TargetVolatility(volatility, constraints=caps, solver=solver).fit_moments(cov, mu)

    np.testing.assert_allclose(model.weights_.to_numpy(), point.weights_.to_numpy(), atol=1e-6)
    assert model.explain().volatility == pytest.approx(volatility, rel=1e-8)


def test_target_volatility_above_the_max_return_volatility_is_the_max_return_portfolio() -> None:
    model = TargetVolatility(0.9, constraints=Constraints(upper=0.6)).fit_moments(COV, MU)

    # highest returns first, each up to its cap: C 0.6, B 0.4
    np.testing.assert_allclose(model.weights_.to_numpy(), [0.0, 0.4, 0.6], atol=1e-12)


def test_max_sharpe_is_a_frontier_point_with_the_best_ratio() -> None:
    cov, mu = _factor_problem(15, seed=5)
    caps = Constraints(upper=0.25)
    best = MaxSharpe(constraints=caps, risk_free_rate=0.02).fit_moments(cov, mu)
    explained = best.explain()
    assert explained.expected_return is not None
    assert explained.sharpe is not None

    same_return = TargetReturn(
        explained.expected_return, constraints=caps, risk_free_rate=0.02
    ).fit_moments(cov, mu)
    sharpes = []
    for target in np.linspace(0.05, explained.expected_return * 1.2, 9):
        other = TargetReturn(target, constraints=caps, risk_free_rate=0.02, fallback=None)
        try:
            sharpes.append(other.fit_moments(cov, mu).explain().sharpe)
        except Exception:  # a target above the attainable maximum
            continue

    np.testing.assert_allclose(best.weights_.to_numpy(), same_return.weights_.to_numpy(), atol=1e-7)
    assert all(s is not None and s <= explained.sharpe + 1e-12 for s in sharpes)


def test_min_cash_is_kept_and_the_assets_share_the_rest() -> None:
    model = MinVariance(constraints=Constraints(min_cash=0.1)).fit_moments(COV)

    assert model.cash_ == 0.1
    assert model.weights_.sum() == pytest.approx(0.9, abs=1e-14)
    inverse = np.array([25.0, 100.0 / 9.0, 6.25])
    np.testing.assert_allclose(model.weights_.to_numpy(), 0.9 * inverse / inverse.sum(), atol=1e-12)


def test_target_return_counts_cash_at_the_risk_free_rate() -> None:
    caps = Constraints(min_cash=0.2)

    model = TargetReturn(0.08, constraints=caps, risk_free_rate=0.03).fit_moments(COV, MU)

    explained = model.explain()
    assert explained.expected_return == pytest.approx(0.08, abs=1e-10)
    assert float(model.weights_ @ MU) + 0.2 * 0.03 == pytest.approx(0.08, abs=1e-10)
