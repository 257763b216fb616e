"""PSI and KS: near zero for samples of one distribution, large for a shifted one, on seeded
draws and on real features."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import ks_2samp

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import FeatureFrame
from microfolio.signals.monitor import (
    PSI_EPSILON,
    PSI_MODERATE,
    PSI_SIGNIFICANT,
    KSResult,
    bin_shares,
    ks,
    psi,
    quantile_edges,
)

Between = Callable[[str, str], FeatureFrame]


def _values(features: FeatureFrame, name: str) -> np.ndarray:
    column = features.frame[name].to_numpy()
    return column[np.isfinite(column)]


def test_samples_of_one_distribution_are_stable() -> None:
    rng = np.random.default_rng(1)
    expected, actual = rng.normal(size=5000), rng.normal(size=5000)

    assert psi(expected, actual) < 0.01
    assert ks(expected, actual).p_value > 0.05


def test_a_shifted_distribution_is_a_significant_shift() -> None:
    rng = np.random.default_rng(2)
    expected, actual = rng.normal(size=5000), rng.normal(loc=1.0, size=5000)

    assert psi(expected, actual) > PSI_SIGNIFICANT
    result = ks(expected, actual)
    assert result.statistic > 0.3
    assert result.p_value < 1e-10


def test_a_small_shift_reads_as_moderate() -> None:
    rng = np.random.default_rng(3)
    expected, actual = rng.normal(size=20000), rng.normal(loc=0.4, size=20000)

    assert PSI_MODERATE < psi(expected, actual) < PSI_SIGNIFICANT


def test_a_sample_is_stable_against_itself() -> None:
    sample = np.random.default_rng(4).lognormal(size=1000)

    assert psi(sample, sample) == 0.0
    assert ks(sample, sample) == KSResult(statistic=0.0, p_value=1.0)


def test_an_empty_bin_costs_a_finite_epsilon_term() -> None:
    expected = np.arange(1000.0)
    actual = np.full(50, 5000.0)  # every value beyond the top decile edge
    e, floor = 0.1, PSI_EPSILON
    by_hand = 9 * (floor - e) * math.log(floor / e) + (1.0 - e) * math.log(1.0 / e)

    assert psi(expected, actual) == pytest.approx(by_hand)


def test_bins_are_reference_deciles_closed_on_the_right() -> None:
    expected = np.arange(1.0, 101.0)
    edges = quantile_edges(expected, bins=4)

    assert edges.tolist() == [25.75, 50.5, 75.25]
    assert bin_shares(np.array([25.75, 25.76, 100.0, -3.0]), edges).tolist() == [
        0.5,
        0.25,
        0.0,
        0.25,
    ]


def test_a_reference_with_ties_merges_its_bins() -> None:
    expected = np.array([0.0] * 90 + [1.0] * 10)

    assert quantile_edges(expected).tolist() == [0.0, pytest.approx(0.1)]  # 9 deciles, 2 distinct
    assert psi(expected, expected) == 0.0
    assert psi(expected, np.ones(100)) > PSI_SIGNIFICANT


def test_vol_21_drifts_from_2006_07_to_2008_09(between: Between) -> None:
    calm, crisis = between("2006-01-01", "2007-12-31"), between("2008-01-01", "2009-12-31")

    value = psi(_values(calm, "vol_21"), _values(crisis, "vol_21"))
    result = ks(_values(calm, "vol_21"), _values(crisis, "vol_21"))

    # measured: PSI 0.567, KS 0.310
    assert value > PSI_SIGNIFICANT
    assert result.statistic > 0.25


def test_vol_21_drifts_much_less_from_2012_to_2013(between: Between) -> None:
    y2012, y2013 = between("2012-01-01", "2012-12-31"), between("2013-01-01", "2013-12-31")
    calm, crisis = between("2006-01-01", "2007-12-31"), between("2008-01-01", "2009-12-31")

    near = psi(_values(y2012, "vol_21"), _values(y2013, "vol_21"))
    far = psi(_values(calm, "vol_21"), _values(crisis, "vol_21"))
    near_ks = ks(_values(y2012, "vol_21"), _values(y2013, "vol_21")).statistic
    far_ks = ks(_values(calm, "vol_21"), _values(crisis, "vol_21")).statistic

    # measured: PSI 0.111 against 0.567, KS 0.099 against 0.310: both statistics agree
    assert near < PSI_SIGNIFICANT
    assert near < far / 3
    assert near_ks < far_ks / 2


def test_cross_sectional_ranks_do_not_drift_even_through_a_crisis(between: Between) -> None:
    calm, crisis = between("2006-01-01", "2007-12-31"), between("2008-01-01", "2009-12-31")

    # measured: 0.013 (ranks are uniform on [0, 1] every session by construction)
    assert psi(_values(calm, "rank_vol_63"), _values(crisis, "rank_vol_63")) < PSI_MODERATE


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ([1.0, np.nan, 2.0], [1.0], r"expected contain 1 missing or infinite values \(first at"),
        ([1.0, 2.0], [np.inf], "actual contain 1 missing or infinite values"),
        ([], [1.0], "expected need at least 1 values, got 0"),
        ([[1.0, 2.0]], [1.0], r"expected must be one-dimensional, got shape \(1, 2\)"),
        (["a", "b"], [1.0], "expected must be numbers, got list"),
    ],
)
def test_bad_samples_are_refused(expected: object, actual: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        psi(expected, actual)


def test_bad_bins_and_epsilon_are_refused() -> None:
    with pytest.raises(InvariantError, match="bins must be an integer >= 2, got 1"):
        psi([1.0, 2.0], [1.0], bins=1)
    with pytest.raises(InvariantError, match="epsilon must be a number strictly between 0 and 1"):
        psi([1.0, 2.0], [1.0], epsilon=0.0)
    with pytest.raises(DataFormatError, match="actual must be one-dimensional"):
        ks([1.0, 2.0], [[1.0]])


def test_a_ks_result_checks_its_range() -> None:
    with pytest.raises(InvariantError, match=r"statistic must be a float in \[0, 1\], got 1.5"):
        KSResult(statistic=1.5, p_value=0.1)


def test_ks_p_value_of_large_samples_is_the_asymptotic_one_and_close_to_exact() -> None:
    # Arrange
    rng = np.random.default_rng(4)
    reference, window = rng.normal(size=3000), rng.normal(0.06, 1.0, size=800)
    small_a, small_b = rng.normal(size=30), rng.normal(0.5, 1.0, size=40)
    # Act
    large = ks(reference, window)
    small = ks(small_a, small_b)
    # Assert
    assert large.p_value == pytest.approx(ks_2samp(reference, window, method="asymp").pvalue)
    assert large.p_value == pytest.approx(
        ks_2samp(reference, window, method="exact").pvalue, rel=0.05
    )
    assert small.p_value == pytest.approx(ks_2samp(small_a, small_b).pvalue)
