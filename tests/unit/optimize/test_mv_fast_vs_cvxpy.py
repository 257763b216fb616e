"""The fast dedicated solvers and the cvxpy chain give the same weights (to 1e-6)."""

import functools

import numpy as np
import pandas as pd
import pytest

from microfolio.data import load_bundled_bars, long_to_wide
from microfolio.estimate import HistoricalMean, SampleCovariance, returns_from_prices
from microfolio.optimize import (
    Constraints,
    EfficientFrontier,
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)

AGREE = 1e-6


def _random_problem(
    seed: int, twin_noise: float = 1e-2, twin_specific: float = 0.2
) -> tuple[pd.DataFrame, pd.Series, Constraints]:
    """A seeded factor-model covariance (every third seed with near-duplicate assets, whose
    loadings differ by ``twin_noise`` and specific variance is ``twin_specific`` of their
    twin's), random caps, floors and cash."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([4, 12, 40, 90]))
    k = int(rng.integers(1, 5))
    loadings = rng.normal(size=(n, k)) * rng.uniform(0.05, 0.3)
    specific = rng.uniform(0.05, 0.4, n) ** 2
    if seed % 3 == 0:  # near-duplicates make the covariance ill-conditioned
        twins = rng.integers(0, n - 1, size=max(1, n // 5))
        loadings[twins] = loadings[twins + 1] + twin_noise * rng.normal(size=(twins.size, k))
        specific[twins] = specific[twins + 1] * twin_specific
    tickers = [f"A{i}" for i in range(n)]
    cov = pd.DataFrame(loadings @ loadings.T + np.diag(specific), tickers, tickers)
    mu = pd.Series(rng.normal(0.06, 0.05, n), tickers)
    cap = max(float(rng.choice([1.0, 0.3, 2.5 / n])), 1.25 / n)
    lower: float | dict[str, float] = 0.0
    if seed % 4 == 1:
        lower = dict.fromkeys(tickers[: n // 2], 0.2 / n)
    cash = 0.05 if seed % 5 == 2 else 0.0
    return cov, mu, Constraints(lower=lower, upper=cap, min_cash=cash)


@functools.cache
def _etf_moments() -> tuple[pd.DataFrame, pd.Series]:
    prices = long_to_wide(load_bundled_bars(), "close")
    returns = returns_from_prices(prices.iloc[-757:])
    returns = returns.loc[:, returns.notna().all()]
    return SampleCovariance().fit(returns).covariance_, HistoricalMean().fit(returns).mu_


def _between(low: float, high: float, seed: int) -> float:
    return low + np.random.default_rng(seed).uniform(0.05, 0.95) * (high - low)


def _targets(
    cov: pd.DataFrame, mu: pd.Series, constraints: Constraints, seed: int
) -> dict[str, float]:
    """A target volatility and a target return strictly between their attainable extremes."""
    low = MinVariance(constraints=constraints).fit_moments(cov, mu)
    top = TargetVolatility(100.0, constraints=constraints).fit_moments(cov, mu)
    low_return, top_return = float(low.weights_ @ mu), float(top.weights_ @ mu)
    return {
        "vol": _between(low.explain().volatility, top.explain().volatility, seed),
        "ret": _between(low_return, top_return, seed + 1),
    }


def _pair(make: object, cov: pd.DataFrame, mu: pd.Series) -> tuple[pd.Series, pd.Series]:
    fitted = []
    for solver in ("fast", "cvxpy"):
        model = make(solver)  # type: ignore[operator]
        model.fit_moments(cov, mu)
        assert model.solver_.startswith("cvxpy:" if solver == "cvxpy" else ("active_set", "closed"))
        fitted.append(model.weights_)
    return fitted[0], fitted[1]


@pytest.mark.parametrize("seed", range(16))
def test_every_optimiser_agrees_on_seeded_random_problems(seed: int) -> None:
    cov, mu, constraints = _random_problem(seed)
    targets = _targets(cov, mu, constraints, seed)
    makers = {
        "min_variance": lambda s: MinVariance(constraints=constraints, solver=s, fallback=None),
        "max_sharpe": lambda s: MaxSharpe(
            constraints=constraints, risk_free_rate=0.01, solver=s, fallback=None
        ),
        "utility": lambda s: MeanVarianceUtility(
            3.0, constraints=constraints, solver=s, fallback=None
        ),
        "target_vol": lambda s: TargetVolatility(
            targets["vol"], constraints=constraints, solver=s, fallback=None
        ),
        "target_return": lambda s: TargetReturn(
            targets["ret"], constraints=constraints, solver=s, fallback=None
        ),
    }

    for name, make in makers.items():
        fast, general = _pair(make, cov, mu)
        gap = float((fast - general).abs().max())
        assert gap < AGREE, f"{name}: fast and cvxpy differ by {gap:.2e}"


@pytest.mark.parametrize("seed", [0, 3, 15, 33])
def test_ill_conditioned_problems_reach_the_same_objective(seed: int) -> None:
    # near-twins (condition number ~1e5): the weights of a twin pair are barely determined, so
    # an interior-point solver's tolerance shows in them; the objective is well determined,
    # and the exact active-set answer is never worse than cvxpy's
    cov, mu, constraints = _random_problem(seed, twin_noise=1e-3, twin_specific=0.01)
    sigma = cov.to_numpy()
    assert np.linalg.cond(sigma) > 1e4

    fast, general = _pair(lambda s: MinVariance(constraints=constraints, solver=s), cov, mu)

    exact = float(fast @ sigma @ fast)
    approx = float(general @ sigma @ general)
    assert exact <= approx * (1.0 + 1e-12)
    assert approx - exact <= 1e-8 * exact
    assert float((fast - general).abs().max()) < 1e-4


@pytest.mark.parametrize("seed", [0, 5, 10])
def test_frontiers_agree_point_by_point(seed: int) -> None:
    cov, mu, constraints = _random_problem(seed)
    fast = EfficientFrontier(12, constraints=constraints, solver="fast").fit_moments(cov, mu)
    general = EfficientFrontier(12, constraints=constraints, solver="cvxpy").fit_moments(cov, mu)

    gap = np.abs(fast.frontier_.to_numpy() - general.frontier_.to_numpy()).max()

    assert gap < AGREE


@pytest.mark.parametrize("cap", [1.0, 0.1])
def test_every_optimiser_agrees_on_the_bundled_etfs(cap: float) -> None:
    cov, mu = _etf_moments()
    constraints = Constraints(upper=cap)
    targets = _targets(cov, mu, constraints, seed=1)
    makers = [
        lambda s: MinVariance(constraints=constraints, solver=s),
        lambda s: MaxSharpe(constraints=constraints, solver=s),
        lambda s: MeanVarianceUtility(2.0, constraints=constraints, solver=s),
        lambda s: TargetVolatility(targets["vol"], constraints=constraints, solver=s),
        lambda s: TargetReturn(targets["ret"], constraints=constraints, solver=s),
    ]

    for make in makers:
        fast, general = _pair(make, cov, mu)
        assert float((fast - general).abs().max()) < AGREE


def _large_problem(n: int = 500, seed: int = 500) -> tuple[pd.DataFrame, pd.Series]:
    """Daily returns of a seeded 5-factor market, 756 sessions, sample moments."""
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.6, (n, 5))
    loadings[:, 0] = rng.normal(1.0, 0.3, n)
    factors = rng.normal(size=(756, 5)) * np.r_[0.01, np.full(4, 0.004)]
    noise = rng.normal(size=(756, n)) * rng.uniform(0.008, 0.025, n)
    returns = pd.DataFrame(
        rng.normal(0.0003, 0.0004, n) + factors @ loadings.T + noise,
        columns=[f"S{i:03d}" for i in range(n)],
    )
    return SampleCovariance().fit(returns).covariance_, HistoricalMean().fit(returns).mu_


@pytest.mark.slow
def test_many_binding_caps_on_500_assets_agree() -> None:
    cov, mu = _large_problem()
    capped = Constraints(upper=0.05)

    for make in (
        lambda s: MinVariance(constraints=capped, solver=s),
        lambda s: MaxSharpe(constraints=capped, solver=s),
    ):
        fast, general = _pair(make, cov, mu)
        at_cap = int((fast > 0.05 - 1e-12).sum())
        assert at_cap >= 3  # the caps do bind
        assert float((fast - general).abs().max()) < AGREE


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_long_short_bounds_agree(seed: int) -> None:
    cov, mu, _ = _random_problem(seed)
    constraints = Constraints(lower=-0.15, upper=0.4, min_cash=0.05)
    targets = _targets(cov, mu, constraints, seed)
    makers = [
        lambda s: MinVariance(constraints=constraints, solver=s),
        lambda s: MaxSharpe(constraints=constraints, solver=s),
        lambda s: TargetVolatility(targets["vol"], constraints=constraints, solver=s),
        lambda s: TargetReturn(targets["ret"], constraints=constraints, solver=s),
    ]

    shortest = 0.0
    for make in makers:
        fast, general = _pair(make, cov, mu)
        shortest = min(shortest, float(fast.min()))
        assert float((fast - general).abs().max()) < AGREE
    assert shortest < 0.0  # shorts are taken
