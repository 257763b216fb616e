"""Probabilistic and deflated Sharpe ratios: the paper's example, independent computations
(scipy moments, exact order statistics, simulation), their invariants and bad input."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError
from microfolio.risk import (
    DeflatedSharpe,
    SharpeMoments,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
)

# Bailey & López de Prado (2014), numerical example: the best of N = 100 trials has an
# annualised Sharpe ratio of 2.5 over 5 years of daily returns (T = 1250, 250 days a year),
# skewness -3 and kurtosis 10; the trials' annualised Sharpe ratios have variance 1/2.
PAPER_DAYS = 250


def trial_set(n_trials: int, variance: float, seed: int = 0) -> np.ndarray:
    """``n_trials`` Sharpe ratios whose sample variance (ddof=1) is exactly ``variance``."""
    draws = np.random.default_rng(seed).standard_normal(n_trials)
    draws = (draws - draws.mean()) / draws.std(ddof=1)
    return np.asarray(draws * math.sqrt(variance), dtype=np.float64)


def daily_returns(n: int, sr: float, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2020-01-01", periods=n)
    return pd.Series(0.01 * (sr + rng.standard_normal(n)), index=index)


def exact_expected_max(n: int) -> float:
    """E[max of n independent standard normals], by integrating x against its density."""

    def density(x: float) -> float:
        return float(x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1))

    value, _ = integrate.quad(density, -12.0, 12.0, limit=200)
    return float(value)


# --- the paper's numerical example --------------------------------------------------------


def test_paper_example_expected_maximum_is_0_1132_per_day() -> None:
    var_daily = 0.5 / PAPER_DAYS

    sr0 = expected_max_sharpe(100, var_daily)

    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    assert sr0 * math.sqrt(PAPER_DAYS) == pytest.approx(1.7894, abs=5e-5)


def test_paper_example_deflated_sharpe_ratio_is_0_9004() -> None:
    moments = SharpeMoments(sr=2.5 / math.sqrt(PAPER_DAYS), n=1250, skew=-3.0, kurtosis=10.0)
    trials = trial_set(100, 0.5 / PAPER_DAYS)

    result = deflated_sharpe_ratio(moments, trials)

    assert result.dsr == pytest.approx(0.9004, abs=5e-5)
    assert result.sr0 == pytest.approx(0.1132, abs=5e-5)
    assert result.n_trials == 100
    assert result.var_trials == pytest.approx(0.5 / PAPER_DAYS)
    assert (result.n, result.skew, result.kurtosis) == (1250, -3.0, 10.0)


# --- moments and the PSR formula ------------------------------------------------------------


def test_moments_from_returns_match_scipy() -> None:
    rng = np.random.default_rng(7)
    r = pd.Series(rng.standard_t(5, 500) * 0.01 + 0.0005)

    m = SharpeMoments.from_returns(r)

    assert m.n == 500
    assert m.sr == pytest.approx(r.mean() / r.std(ddof=1), rel=1e-12)
    assert m.skew == pytest.approx(stats.skew(r), rel=1e-10)
    assert m.kurtosis == pytest.approx(stats.kurtosis(r, fisher=False), rel=1e-10)


def test_psr_matches_the_formula_by_hand() -> None:
    m = SharpeMoments(sr=0.1, n=101, skew=-0.5, kurtosis=6.0)
    # z = (0.1 - 0.02) * sqrt(100) / sqrt(1 + 0.05 + 5/4 * 0.01) = 0.8 / sqrt(1.0625)
    expected = stats.norm.cdf(0.8 / math.sqrt(1.0625))

    assert probabilistic_sharpe_ratio(m, benchmark_sr=0.02) == pytest.approx(expected, rel=1e-12)


def test_psr_from_returns_equals_psr_from_their_moments() -> None:
    r = daily_returns(300, 0.05, seed=3)

    assert probabilistic_sharpe_ratio(r, 0.01) == probabilistic_sharpe_ratio(
        SharpeMoments.from_returns(r), 0.01
    )
    assert probabilistic_sharpe_ratio(r.to_numpy(), 0.01) == probabilistic_sharpe_ratio(r, 0.01)


def test_psr_is_symmetric_for_normal_moments() -> None:
    up = SharpeMoments(sr=0.08, n=250)
    down = SharpeMoments(sr=-0.08, n=250)

    assert probabilistic_sharpe_ratio(up) + probabilistic_sharpe_ratio(down) == pytest.approx(1.0)
    assert probabilistic_sharpe_ratio(up, benchmark_sr=0.08) == 0.5


def test_psr_falls_with_the_benchmark_and_rises_with_the_track_record() -> None:
    benchmarks = [-0.1, 0.0, 0.02, 0.05, 0.1]
    short, long = SharpeMoments(sr=0.06, n=100), SharpeMoments(sr=0.06, n=1000)

    by_benchmark = [probabilistic_sharpe_ratio(long, b) for b in benchmarks]

    assert by_benchmark == sorted(by_benchmark, reverse=True)
    assert probabilistic_sharpe_ratio(long) > probabilistic_sharpe_ratio(short)


def test_negative_skew_and_fat_tails_lower_the_psr_of_a_positive_sharpe() -> None:
    normal = SharpeMoments(sr=0.1, n=250)
    skewed = SharpeMoments(sr=0.1, n=250, skew=-2.0, kurtosis=9.0)
    fat = SharpeMoments(sr=0.1, n=250, kurtosis=12.0)

    assert probabilistic_sharpe_ratio(skewed) < probabilistic_sharpe_ratio(normal)
    assert probabilistic_sharpe_ratio(fat) < probabilistic_sharpe_ratio(normal)


def test_psr_of_skill_less_returns_is_uniform_across_seeds() -> None:
    rng = np.random.default_rng(2014)
    samples = rng.standard_normal((2000, 250)) * 0.01

    psr = np.array([probabilistic_sharpe_ratio(row) for row in samples])

    assert stats.kstest(psr, "uniform").pvalue > 0.01
    assert 0.035 < np.mean(psr > 0.95) < 0.065
    assert 0.035 < np.mean(psr < 0.05) < 0.065


# --- expected maximum -----------------------------------------------------------------------


@pytest.mark.parametrize(("n_trials", "tolerance"), [(10, 0.03), (100, 0.015), (1000, 0.01)])
def test_expected_max_is_close_to_exact_and_simulated_maxima(
    n_trials: int, tolerance: float
) -> None:
    variance = 0.004
    reps = 4000 if n_trials < 1000 else 1000
    draws = np.random.default_rng(n_trials).standard_normal((reps, n_trials))
    simulated = float(np.mean(draws.max(axis=1))) * math.sqrt(variance)
    exact = exact_expected_max(n_trials) * math.sqrt(variance)

    formula = expected_max_sharpe(n_trials, variance)

    assert formula == pytest.approx(exact, rel=tolerance)
    assert formula == pytest.approx(simulated, rel=tolerance + 0.01)


def test_expected_max_grows_with_trials_and_scales_with_the_dispersion() -> None:
    grid = [expected_max_sharpe(n, 1.0) for n in (2, 5, 10, 100, 1000, 10**6)]

    assert grid == sorted(grid)
    assert expected_max_sharpe(50, 4.0) == pytest.approx(2.0 * expected_max_sharpe(50, 1.0))
    assert expected_max_sharpe(50, 0.0) == 0.0
    assert expected_max_sharpe(1, 1.0) == 0.0


# --- deflated Sharpe ratio -------------------------------------------------------------------


def test_more_trials_lower_the_deflated_sharpe_ratio() -> None:
    r = daily_returns(750, 0.12, seed=11)

    dsr = [deflated_sharpe_ratio(r, trial_set(n, 0.003, seed=n)).dsr for n in (2, 5, 20, 100, 500)]

    assert dsr == sorted(dsr, reverse=True)
    assert dsr[0] > dsr[-1]


def test_single_trial_is_the_psr_against_zero() -> None:
    r = daily_returns(250, 0.1, seed=5)

    result = deflated_sharpe_ratio(r, [0.1])

    assert result.dsr == probabilistic_sharpe_ratio(r, 0.0)
    assert result.sr0 == 0.0
    assert math.isnan(result.var_trials)
    assert result.n_trials == 1


def test_winner_of_skill_less_trials_looks_significant_until_deflated() -> None:
    rng = np.random.default_rng(99)
    psr_best, dsr_best = [], []
    for _ in range(200):
        books = rng.standard_normal((50, 250)) * 0.01
        sharpes = books.mean(axis=1) / books.std(axis=1, ddof=1)
        best = books[int(np.argmax(sharpes))]
        psr_best.append(probabilistic_sharpe_ratio(best))
        dsr_best.append(deflated_sharpe_ratio(best, sharpes).dsr)

    assert np.mean(np.array(psr_best) > 0.95) > 0.8  # selection makes luck look like skill
    assert np.mean(np.array(dsr_best) > 0.95) < 0.05  # deflation sees through it


def test_results_are_frozen() -> None:
    result = deflated_sharpe_ratio(daily_returns(100, 0.1, seed=1), [0.1, 0.05, -0.02])

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.dsr = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        SharpeMoments(sr=0.1, n=10).sr = 0.2  # type: ignore[misc]


# --- bad input --------------------------------------------------------------------------------


def test_too_few_observations_are_refused() -> None:
    with pytest.raises(DataFormatError, match="at least 3 observations, got 2"):
        probabilistic_sharpe_ratio([0.01, 0.02])
    with pytest.raises(InvariantError, match="n must be >= 3 observations, got 2"):
        SharpeMoments(sr=0.1, n=2)


def test_missing_return_is_refused_naming_its_date() -> None:
    r = daily_returns(20, 0.1, seed=2)
    r.iloc[4] = np.nan

    with pytest.raises(DataFormatError, match=r"returns\[2020-01-07\] = nan is not finite"):
        deflated_sharpe_ratio(r, [0.1, 0.0])


def test_constant_returns_are_refused() -> None:
    with pytest.raises(DataFormatError, match="returns are constant"):
        probabilistic_sharpe_ratio([0.001] * 50)


@pytest.mark.parametrize(
    ("trials", "message"),
    [
        ([], "non-empty 1-D"),
        ([0.1, float("nan")], r"trial_sharpes\[1\] = nan is not finite"),
        ([[0.1, 0.2]], "non-empty 1-D"),
        (["a", "b"], "must be numbers"),
    ],
)
def test_bad_trial_sharpes_are_refused(trials: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        deflated_sharpe_ratio(daily_returns(50, 0.1, seed=1), trials)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n_trials", "variance", "message"),
    [
        (0, 1.0, "n_trials must be >= 1, got 0"),
        (2.5, 1.0, "n_trials must be an int, got 2.5"),
        (True, 1.0, "n_trials must be an int, got True"),
        (10, -0.1, "var_trials must be finite and >= 0, got -0.1"),
        (10, float("inf"), "var_trials must be finite"),
    ],
)
def test_bad_expected_max_arguments_are_refused(
    n_trials: object, variance: float, message: str
) -> None:
    with pytest.raises(DataFormatError, match=message):
        expected_max_sharpe(n_trials, variance)  # type: ignore[arg-type]


def test_impossible_moments_are_refused() -> None:
    with pytest.raises(InvariantError, match=r"kurtosis must be >= 1 \+ skew\*\*2 = 5"):
        SharpeMoments(sr=0.1, n=100, skew=2.0, kurtosis=4.0)
    with pytest.raises(InvariantError, match="sr must be finite, got nan"):
        SharpeMoments(sr=float("nan"), n=100)
    with pytest.raises(DataFormatError, match="benchmark_sr must be finite"):
        probabilistic_sharpe_ratio(SharpeMoments(sr=0.1, n=100), float("inf"))


def test_deflated_result_checks_its_invariants() -> None:
    with pytest.raises(InvariantError, match="dsr must be a probability in"):
        DeflatedSharpe(
            dsr=1.5, sr=0.1, sr0=0.0, n=10, skew=0.0, kurtosis=3.0, n_trials=1, var_trials=0.0
        )


def test_errors_are_one_line_microfolio_errors() -> None:
    with pytest.raises(MicrofolioError) as caught:
        probabilistic_sharpe_ratio(np.zeros((3, 3)))

    assert "\n" not in str(caught.value)
    assert "shape (3, 3)" in str(caught.value)
