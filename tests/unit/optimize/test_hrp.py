from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.cluster.hierarchy as sch
from scipy.spatial.distance import pdist, squareform
from sklearn.base import clone

from microfolio.errors import InvariantError
from microfolio.optimize import HRP
from microfolio.optimize.constraints import Constraints
from microfolio.optimize.hrp import correlation_distance, hrp_weights


def _frame(cov: np.ndarray, prefix: str = "A") -> pd.DataFrame:
    names = [f"{prefix}{i}" for i in range(len(cov))]
    return pd.DataFrame(cov, index=names, columns=names)


def _random_cov(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n, 3))
    x = rng.normal(size=(250, 3)) @ loadings.T + rng.normal(size=(250, n)) * rng.uniform(
        0.5, 2.0, n
    )
    return np.cov(x, rowvar=False)


# -- a straightforward reference: the paper's code (Lopez de Prado 2016), in Python 3 -----------


def _reference_hrp(
    cov: np.ndarray,
    method: str = "single",
    paper_distance: bool = False,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    budget: float = 1.0,
) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    dist = np.sqrt(np.clip((1.0 - corr) / 2.0, 0.0, 1.0))
    np.fill_diagonal(dist, 0.0)
    if paper_distance:
        # the paper passes the n x n distance frame to linkage, which takes its rows as
        # observations: the Euclidean distance between the columns of d
        link = sch.linkage(pdist(dist), method)
    else:
        link = sch.linkage(squareform(dist, checks=False), method)
    sort_ix = sch.to_tree(link).pre_order()  # getQuasiDiag

    def cluster_var(items: list[int]) -> float:
        sub = cov[np.ix_(items, items)]
        ivp = 1.0 / np.diag(sub)
        ivp /= ivp.sum()
        return float(ivp @ sub @ ivp)

    w = pd.Series(budget, index=sort_ix)
    c_items = [sort_ix]
    while c_items:  # getRecBipart
        c_items = [
            i[j:k]
            for i in c_items
            for j, k in ((0, len(i) // 2), (len(i) // 2, len(i)))
            if len(i) > 1
        ]
        for i in range(0, len(c_items), 2):
            left, right = c_items[i], c_items[i + 1]
            v_left, v_right = cluster_var(left), cluster_var(right)
            alpha = 1.0 - v_left / (v_left + v_right)
            if lower is not None and upper is not None:
                total = w[left[0]]
                alpha = min(upper[left].sum() / total, max(lower[left].sum() / total, alpha))
                alpha = 1.0 - min(
                    upper[right].sum() / total, max(lower[right].sum() / total, 1.0 - alpha)
                )
            w[left] *= alpha
            w[right] *= 1.0 - alpha
    return w.sort_index().to_numpy()


# -- the paper's own numbers -------------------------------------------------------------------


def test_paper_example_distances_and_first_merge() -> None:
    # Lopez de Prado (2016), section 2: three assets a, b, c
    corr = np.array([[1.0, 0.7, 0.2], [0.7, 1.0, -0.2], [0.2, -0.2, 1.0]])

    d = squareform(correlation_distance(corr, "correlation"))
    d_tilde = squareform(correlation_distance(corr, "paper"))
    link = sch.linkage(correlation_distance(corr, "paper"), "single")

    np.testing.assert_allclose(d[[0, 0, 1], [1, 2, 2]], [0.3873, 0.6325, 0.7746], atol=5e-5)
    np.testing.assert_allclose(d_tilde[[0, 0, 1], [1, 2, 2]], [0.5659, 0.9747, 1.1225], atol=5e-5)
    # {a, b} merge first at 0.5659; c joins at min(0.9747, 1.1225)
    np.testing.assert_allclose(link[:, :3], [[0, 1, 0.5659], [2, 3, 0.9747]], atol=5e-5)


def test_four_assets_step_by_step_by_hand() -> None:
    # two blocks: {A, B} correlated 0.8, {C, D} 0.6, across 0.1
    vol = np.array([0.10, 0.20, 0.15, 0.30])
    corr = np.array(
        [
            [1.0, 0.8, 0.1, 0.1],
            [0.8, 1.0, 0.1, 0.1],
            [0.1, 0.1, 1.0, 0.6],
            [0.1, 0.1, 0.6, 1.0],
        ]
    )
    cov = corr * np.outer(vol, vol)

    model = HRP().fit_moments(_frame(cov))

    # inverse-variance portfolios of the blocks: (0.8, 0.2) each
    var_ab = 0.8**2 * 0.01 + 0.2**2 * 0.04 + 2 * 0.8 * 0.2 * 0.8 * 0.10 * 0.20  # 0.01312
    var_cd = 0.8**2 * 0.0225 + 0.2**2 * 0.09 + 2 * 0.8 * 0.2 * 0.6 * 0.15 * 0.30  # 0.02664
    alpha = 1 - var_ab / (var_ab + var_cd)  # share of {A, B}
    expected = [alpha * 0.8, alpha * 0.2, (1 - alpha) * 0.8, (1 - alpha) * 0.2]
    np.testing.assert_allclose(model.weights_.to_numpy(), expected, rtol=1e-13)
    assert model.weights_.to_numpy() == pytest.approx(
        [0.536016, 0.134004, 0.263984, 0.065996], abs=1e-6
    )
    assert set(model.leaf_order_[:2]) in ({"A0", "A1"}, {"A2", "A3"})


# -- against the reference ---------------------------------------------------------------------


@pytest.mark.parametrize("linkage", ["single", "complete", "average", "ward"])
@pytest.mark.parametrize("n", [2, 3, 7, 40, 121])
def test_matches_the_reference_for_every_linkage(linkage: str, n: int) -> None:
    cov = _random_cov(n, seed=n)

    weights, _, _ = hrp_weights(cov, linkage)  # type: ignore[arg-type]

    np.testing.assert_allclose(weights, _reference_hrp(cov, linkage), rtol=1e-11, atol=1e-14)


def test_matches_the_reference_with_the_papers_distance_of_distances() -> None:
    cov = _random_cov(30, seed=5)

    model = HRP(linkage="single", distance="paper").fit_moments(_frame(cov))

    np.testing.assert_allclose(
        model.weights_.to_numpy(), _reference_hrp(cov, paper_distance=True), rtol=1e-11
    )


def test_caps_clip_the_split_factors_as_the_reference_does() -> None:
    n = 25
    cov = _random_cov(n, seed=11)
    lower = np.zeros(n)
    upper = np.full(n, 0.06)
    constraints = Constraints(upper=0.06)

    model = HRP(constraints=constraints).fit_moments(_frame(cov))

    w = model.weights_.to_numpy()
    np.testing.assert_allclose(w, _reference_hrp(cov, lower=lower, upper=upper), rtol=1e-11)
    assert w.max() <= 0.06 + 1e-12
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert model.fallback_chain_ == ("recursive_bisection with clipped splits: ok",)


def test_floors_and_min_cash_hold() -> None:
    n = 12
    cov = _random_cov(n, seed=3)
    constraints = Constraints(lower={"A0": 0.2}, upper=0.3, min_cash=0.1)

    model = HRP(linkage="ward", constraints=constraints).fit_moments(_frame(cov))

    w = model.weights_
    lower = np.zeros(n)
    lower[0] = 0.2
    with np.errstate(divide="ignore", invalid="ignore"):
        reference = _reference_hrp(cov, "ward", lower=lower, upper=np.full(n, 0.3), budget=0.9)
    # A0's floor takes all of its cluster's share: the reference divides 0 by 0 below it (as
    # skfolio and Riskfolio-Lib would); those assets hold nothing
    reference = np.nan_to_num(reference, nan=0.0)
    np.testing.assert_allclose(w.to_numpy(), reference, rtol=1e-11, atol=1e-15)
    assert model.cash_ == 0.1
    assert w.sum() + model.cash_ == pytest.approx(1.0, abs=1e-12)
    assert w["A0"] >= 0.2 - 1e-12
    assert w.max() <= 0.3 + 1e-12
    assert (w >= 0).all()


def test_min_cash_scales_the_unconstrained_weights() -> None:
    cov = _random_cov(9, seed=4)

    full = HRP().fit_moments(_frame(cov)).weights_
    kept = HRP(constraints=Constraints(min_cash=0.25)).fit_moments(_frame(cov)).weights_

    np.testing.assert_allclose(kept.to_numpy(), 0.75 * full.to_numpy(), rtol=1e-13)


# -- the contract ------------------------------------------------------------------------------


def test_fit_on_returns_explains_itself() -> None:
    rng = np.random.default_rng(0)
    returns = pd.DataFrame(
        rng.normal(0, 0.01, (300, 6)) + rng.normal(0, 0.01, (300, 1)),
        columns=list("ABCDEF"),
    )

    model = HRP(linkage="average").fit(returns)
    explanation = model.explain()

    assert model.weights_.sum() == pytest.approx(1.0)
    assert explanation.risk_contributions.sum() == pytest.approx(1.0)
    assert explanation.expected_return is None
    assert explanation.volatility > 0
    assert model.solver_ == "recursive_bisection"
    assert model.linkage_matrix_.shape == (5, 4)
    assert sorted(model.leaf_order_) == list("ABCDEF")


def test_one_asset_takes_everything_invested() -> None:
    model = HRP(constraints=Constraints(min_cash=0.1)).fit_moments(_frame(np.array([[0.04]])))

    assert model.weights_.tolist() == [0.9]


def test_parameters_follow_the_estimator_contract() -> None:
    model = HRP(linkage="ward")

    assert clone(model).get_params() == {
        "linkage": "ward",
        "distance": "correlation",
        "constraints": None,
        "cov_estimator": None,
    }


def test_unknown_linkage_and_group_limits_are_refused_in_words() -> None:
    cov = _frame(_random_cov(4, seed=1))

    with pytest.raises(InvariantError, match="linkage must be one of"):
        HRP(linkage="centroid").fit_moments(cov)  # type: ignore[arg-type]
    groups = Constraints(groups={"g": ["A0"]}, group_upper={"g": 0.1})
    with pytest.raises(InvariantError, match="per-asset bounds and min_cash only"):
        HRP(constraints=groups).fit_moments(cov)
