from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from microfolio.errors import InfeasibleError, InvariantError
from microfolio.optimize import EqualWeight, InverseVolatility
from microfolio.optimize.constraints import Constraints
from microfolio.optimize.inverse_vol import InverseVolatility as OldPathInverseVolatility
from microfolio.optimize.naive import clip_redistribute


def _returns(seed: int = 7, n: int = 4, rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scales = np.linspace(0.005, 0.03, n)
    common = rng.normal(0.0, 0.01, (rows, 1))
    values = rng.normal(0.0, 1.0, (rows, n)) * scales + common
    return pd.DataFrame(values, columns=[f"A{i}" for i in range(n)])


def _cov(vols: list[float]) -> pd.DataFrame:
    names = [f"A{i}" for i in range(len(vols))]
    v = np.array(vols)
    corr = np.full((len(v), len(v)), 0.3)
    np.fill_diagonal(corr, 1.0)
    return pd.DataFrame(corr * np.outer(v, v), index=names, columns=names)


# -- equal weight -------------------------------------------------------------------------------


def test_equal_weight_splits_the_invested_amount_evenly_and_keeps_min_cash() -> None:
    model = EqualWeight(constraints=Constraints(min_cash=0.04)).fit(_returns(n=4))

    np.testing.assert_allclose(model.weights_.to_numpy(), np.full(4, 0.24))
    assert model.cash_ == 0.04
    assert model.weights_.sum() + model.cash_ == pytest.approx(1.0, abs=1e-12)
    assert model.fallback_chain_ == ("closed_form: ok",)
    assert model.method == "equal"


def test_equal_weight_risk_contributions_sum_to_one_and_favour_the_volatile() -> None:
    model = EqualWeight().fit_moments(_cov([0.1, 0.2, 0.4]))

    contributions = model.explain().risk_contributions

    assert contributions.sum() == pytest.approx(1.0)
    assert contributions["A0"] < contributions["A1"] < contributions["A2"]


def test_equal_weight_caps_clip_and_redistribute_to_the_others() -> None:
    constraints = Constraints(upper={"A0": 0.1}, min_cash=0.1)

    model = EqualWeight(constraints=constraints).fit_moments(_cov([0.1, 0.2, 0.3, 0.4]))

    # 0.9 to invest: A0 capped at 0.1, the other three share 0.8 evenly
    np.testing.assert_allclose(model.weights_.to_numpy(), [0.1, 0.8 / 3, 0.8 / 3, 0.8 / 3])
    assert model.fallback_chain_[-1].startswith("clip_redistribute: ok")


def test_equal_weight_refuses_group_limits_in_words() -> None:
    constraints = Constraints(groups={"g": ["A0", "A1"]}, group_upper={"g": 0.3})

    with pytest.raises(InvariantError, match="per-asset bounds and min_cash only"):
        EqualWeight(constraints=constraints).fit_moments(_cov([0.1, 0.2, 0.3]))


def test_equal_weight_with_caps_too_tight_is_infeasible_in_words() -> None:
    with pytest.raises(InfeasibleError, match=r"upper bounds sum to 0\.60"):
        EqualWeight(constraints=Constraints(upper=0.2)).fit_moments(_cov([0.1, 0.2, 0.3]))


# -- inverse volatility -------------------------------------------------------------------------


def test_inverse_volatility_from_moments_is_one_over_sigma() -> None:
    model = InverseVolatility().fit_moments(_cov([0.1, 0.2, 0.4]))

    np.testing.assert_allclose(model.weights_.to_numpy(), np.array([4.0, 2.0, 1.0]) / 7.0)
    assert model.fallback_chain_ == ("closed_form: ok",)
    assert model.solver_ == "closed_form"


def test_inverse_volatility_fit_matches_fit_moments_on_its_own_covariance() -> None:
    returns = _returns(n=5)

    fitted = InverseVolatility().fit(returns)
    again = InverseVolatility().fit_moments(fitted.covariance_)

    np.testing.assert_allclose(fitted.weights_.to_numpy(), again.weights_.to_numpy(), rtol=1e-12)
    expected = 1.0 / returns.std(ddof=1)
    np.testing.assert_allclose(fitted.weights_.to_numpy(), (expected / expected.sum()).to_numpy())


def test_inverse_volatility_late_listing_keeps_the_others_full_history() -> None:
    returns = _returns(n=3)
    returns.loc[:299, "A2"] = np.nan  # listed late: 100 returns, enough
    full = 1.0 / returns.std(ddof=1)  # pandas skips missing returns

    model = InverseVolatility(min_observations=60).fit(returns)

    np.testing.assert_allclose(model.weights_.to_numpy(), (full / full.sum()).to_numpy())
    contributions = model.explain().risk_contributions
    assert contributions.sum() == pytest.approx(1.0)


def test_inverse_volatility_gives_no_weight_to_a_fund_not_yet_listed() -> None:
    returns = _returns(n=3)
    returns["A2"] = np.nan  # no return at all in the window

    model = InverseVolatility(cash=0.01).fit(returns)

    assert model.weights_["A2"] == 0.0
    assert model.weights_.sum() + model.cash_ == pytest.approx(1.0)
    assert model.cash_ == 0.01


def test_inverse_volatility_cash_and_min_cash_are_one_setting() -> None:
    via_constraints = InverseVolatility(constraints=Constraints(min_cash=0.05)).fit(_returns())
    via_cash = InverseVolatility(cash=0.05).fit(_returns())

    assert via_constraints.cash_ == via_cash.cash_ == 0.05
    pd.testing.assert_series_equal(via_constraints.weights_, via_cash.weights_)
    with pytest.raises(InvariantError, match="disagree"):
        InverseVolatility(cash=0.02, constraints=Constraints(min_cash=0.05)).fit(_returns())


def test_inverse_volatility_cap_moves_the_excess_in_proportion_to_inverse_vol() -> None:
    # raw 1/sigma weights: 4/7, 2/7, 1/7; cap A0 at 0.4, the rest share 0.6 in the ratio 2:1
    model = InverseVolatility(constraints=Constraints(upper=0.4)).fit_moments(_cov([0.1, 0.2, 0.4]))

    np.testing.assert_allclose(model.weights_.to_numpy(), [0.4, 0.4, 0.2])
    assert model.fallback_chain_[0] == "closed_form: bounds break"


def test_inverse_volatility_is_importable_from_its_old_module_and_clones() -> None:
    model = OldPathInverseVolatility(cash=0.02, min_observations=30)

    copy = clone(model)

    assert OldPathInverseVolatility is InverseVolatility
    assert copy.get_params() == model.get_params()


# -- clip and redistribute ----------------------------------------------------------------------


def test_clip_redistribute_with_floors_and_caps_by_hand() -> None:
    target = np.array([1.0, 1.0, 1.0, 1.0])
    lower = np.array([0.3, 0.0, 0.0, 0.0])
    upper = np.array([1.0, 0.2, 1.0, 1.0])

    w = clip_redistribute(target, lower, upper, 1.0)

    # A0 floored at 0.3, A1 capped at 0.2; A2 and A3 share the remaining 0.5
    np.testing.assert_allclose(w, [0.3, 0.2, 0.25, 0.25])


def test_clip_redistribute_refuses_a_budget_out_of_reach() -> None:
    target = np.array([1.0, 0.0])
    with pytest.raises(InfeasibleError, match="hold between"):
        clip_redistribute(target, np.zeros(2), np.array([0.5, 1.0]), 1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 10.0), min_size=2, max_size=12),
    st.floats(0.0, 0.5),
    st.floats(0.05, 1.0),
)
def test_clip_redistribute_meets_the_budget_and_bounds(
    target: list[float], min_cash: float, cap: float
) -> None:
    n = len(target)
    budget = 1.0 - min_cash
    if cap * n < budget:
        cap = budget / n + 1e-3
    t = np.array(target)

    w = clip_redistribute(t, np.zeros(n), np.full(n, cap), budget)

    assert w.sum() == pytest.approx(budget, abs=1e-12)
    assert np.all(w >= -1e-12)
    assert np.all(w <= cap + 1e-12)
    # the free assets stay in proportion to their targets
    free = w < cap - 1e-9
    if free.sum() >= 2:
        ratio = w[free] / t[free]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
