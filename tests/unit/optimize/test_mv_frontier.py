"""The efficient frontier; explanations and the estimator contract of the whole family."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from microfolio.estimate import HistoricalMean, SampleCovariance
from microfolio.optimize import (
    Constraints,
    EfficientFrontier,
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)


def _moments(n: int = 10, seed: int = 21) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.15, (n, 3))
    cov = loadings @ loadings.T + np.diag(rng.uniform(0.1, 0.3, n) ** 2)
    tickers = [f"S{i}" for i in range(n)]
    return (
        pd.DataFrame(cov, index=tickers, columns=tickers),
        pd.Series(rng.normal(0.07, 0.03, n), index=tickers),
    )


def _returns(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0004, 0.01, (600, 1))
    own = rng.normal(0.0002, 0.012, (600, 6)) * np.linspace(0.5, 1.5, 6)
    return pd.DataFrame(common + own, columns=list("ABCDEF"))


@pytest.mark.parametrize("solver", ["fast", "cvxpy"])
def test_the_frontier_rises_in_return_and_volatility(solver: str) -> None:
    cov, mu = _moments()

    model = EfficientFrontier(25, constraints=Constraints(upper=0.3), solver=solver)
    frontier = model.fit_moments(cov, mu).frontier_

    assert list(frontier.columns[:3]) == ["return", "volatility", "sharpe"]
    assert list(frontier.columns[3:]) == list(cov.columns)
    assert len(frontier) == 25
    assert (np.diff(frontier["return"].to_numpy()) >= -1e-12).all()
    assert (np.diff(frontier["volatility"].to_numpy()) >= -1e-12).all()
    np.testing.assert_allclose(frontier.iloc[:, 3:].sum(axis=1), 1.0, atol=1e-10)


def test_the_frontier_ends_at_min_variance_and_at_the_max_return() -> None:
    cov, mu = _moments()
    caps = Constraints(upper=0.3)

    frontier = EfficientFrontier(10, constraints=caps).fit_moments(cov, mu).frontier_
    low = MinVariance(constraints=caps).fit_moments(cov)

    np.testing.assert_allclose(frontier.iloc[0, 3:].to_numpy(float), low.weights_, atol=1e-12)
    # the max-return portfolio: 0.3 in each of the three best assets, 0.1 in the fourth
    order = mu.sort_values(ascending=False).index
    top = pd.Series(0.0, index=mu.index)
    top[order[:3]] = 0.3
    top[order[3]] = 0.1
    np.testing.assert_allclose(frontier.iloc[-1, 3:].to_numpy(float), top.to_numpy(), atol=1e-12)
    assert frontier["return"].iloc[-1] == pytest.approx(float(top @ mu), abs=1e-14)


def test_each_frontier_point_is_the_target_return_portfolio() -> None:
    cov, mu = _moments()
    frontier = EfficientFrontier(7, risk_free_rate=0.01).fit_moments(cov, mu).frontier_

    for _, point in frontier.iloc[1:-1].iterrows():
        single = TargetReturn(point["return"], risk_free_rate=0.01).fit_moments(cov, mu)
        np.testing.assert_allclose(single.weights_, point.iloc[3:].to_numpy(float), atol=1e-9)
        assert point["sharpe"] == pytest.approx(
            (point["return"] - 0.01) / point["volatility"], rel=1e-12
        )


def test_the_frontier_weights_are_its_best_sharpe_point() -> None:
    cov, mu = _moments()
    model = EfficientFrontier(30, risk_free_rate=0.02).fit_moments(cov, mu)
    best = MaxSharpe(risk_free_rate=0.02).fit_moments(cov, mu).explain().sharpe
    assert best is not None

    row = model.frontier_["sharpe"].idxmax()

    np.testing.assert_allclose(model.weights_, model.frontier_.iloc[row, 3:].to_numpy(float))
    assert model.frontier_["sharpe"].max() <= best + 1e-12


def test_a_flat_frontier_repeats_the_min_variance_portfolio() -> None:
    cov, _ = _moments()
    flat = pd.Series(0.05, index=cov.index)

    frontier = EfficientFrontier(5).fit_moments(cov, flat).frontier_

    assert np.ptp(frontier.iloc[:, 3:].to_numpy(), axis=0).max() < 1e-12


@pytest.mark.parametrize(
    "model",
    [
        MinVariance(),
        MaxSharpe(risk_free_rate=0.01),
        MeanVarianceUtility(2.0),
        TargetVolatility(0.2),
        TargetReturn(0.05),
        EfficientFrontier(5),
        MinVariance(constraints=Constraints(groups={"x": ["A", "B"]}, group_upper={"x": 0.3})),
    ],
)
def test_every_optimiser_fits_returns_and_explains_itself(model: object) -> None:
    returns = _returns()

    fitted = clone(model).fit(returns)  # type: ignore[arg-type]
    explained = fitted.explain()

    assert explained.risk_contributions.sum() == pytest.approx(1.0, abs=1e-12)
    assert explained.volatility > 0
    assert fitted.weights_.sum() + fitted.cash_ == pytest.approx(1.0, abs=1e-12)
    assert (fitted.weights_ >= -1e-12).all()
    assert fitted.to_target(pd.Timestamp("2024-01-02").date()).method == fitted.method


def test_the_estimators_are_used_as_given() -> None:
    returns = _returns()
    cov = SampleCovariance(periods_per_year=12).fit(returns).covariance_
    mu = HistoricalMean(periods_per_year=12).fit(returns).mu_

    model = MaxSharpe(
        mu_estimator=HistoricalMean(periods_per_year=12),
        cov_estimator=SampleCovariance(periods_per_year=12),
    ).fit(returns)

    direct = MaxSharpe().fit_moments(cov, mu)
    pd.testing.assert_series_equal(model.weights_, direct.weights_)
    assert model.mu_ is not None
    pd.testing.assert_series_equal(model.mu_, mu, check_names=False)


def test_parameters_follow_the_estimator_contract() -> None:
    model = TargetVolatility(0.1, risk_free_rate=0.02, solver="cvxpy")

    params = model.get_params()

    assert params["target_volatility"] == 0.1
    assert params["solver"] == "cvxpy"
    assert params["fallback"] == "min_variance"
    assert MinVariance().get_params()["fallback"] == "equal_weight"
    assert set(params) >= {"constraints", "mu_estimator", "cov_estimator", "risk_free_rate"}
