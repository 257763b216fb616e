import numpy as np
import pandas as pd
import pytest
from estimate_helpers import indefinite_pairwise_returns, make_returns
from hypothesis import given, settings
from hypothesis import strategies as st

from microfolio.errors import MicrofolioError
from microfolio.estimate import (
    PSD_EPS,
    EWMACovariance,
    SampleCovariance,
    is_positive_definite,
    repair_psd,
)
from microfolio.estimate.psd import clip_eigenvalues, repair_low_rank

INDEFINITE = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])


def test_an_indefinite_matrix_is_repaired_keeping_its_variances() -> None:
    assert np.linalg.eigvalsh(INDEFINITE).min() < 0

    repaired, report = repair_psd(INDEFINITE)

    assert np.linalg.eigvalsh(repaired).min() > 0.5 * PSD_EPS
    np.testing.assert_allclose(np.diag(repaired), np.diag(INDEFINITE), rtol=1e-14)
    np.testing.assert_array_equal(repaired, repaired.T)
    assert report.repaired
    assert report.n_raised == 1
    assert report.min_eigenvalue == pytest.approx(np.linalg.eigvalsh(INDEFINITE).min())
    assert report.max_change == pytest.approx(np.abs(repaired - INDEFINITE).max())
    assert report.detail.startswith("1 eigenvalue below 1.0e-10 raised (smallest was -")


def test_a_positive_definite_matrix_is_left_alone() -> None:
    cov = pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=["A", "B"], columns=["A", "B"])

    repaired, report = repair_psd(cov)

    assert repaired is cov
    assert not report.repaired
    assert report.detail == ""


def test_a_labelled_matrix_keeps_its_labels_when_repaired() -> None:
    labels = ["A", "B", "C"]
    matrix = pd.DataFrame(INDEFINITE, index=labels, columns=labels)

    repaired, report = repair_psd(matrix, eps=1e-6)

    assert list(repaired.index) == labels
    assert list(repaired.columns) == labels
    assert np.linalg.eigvalsh(repaired.to_numpy()).min() > 0.5e-6
    assert "below 1.0e-06" in report.detail


def test_a_singular_matrix_is_lifted_to_the_floor() -> None:
    ones = np.ones((3, 3))  # rank one: two zero eigenvalues

    repaired, report = repair_psd(ones)

    assert report.n_raised == 2
    assert is_positive_definite(repaired, eps=0.5 * PSD_EPS)
    assert not is_positive_definite(ones)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.ones((2, 3)), "matrix must be square"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "missing or infinite"),
        (np.array([[1.0, 0.5], [0.2, 1.0]]), "not symmetric"),
    ],
)
def test_what_is_not_a_covariance_is_refused(matrix: np.ndarray, message: str) -> None:
    with pytest.raises(MicrofolioError, match=message):
        repair_psd(matrix)


def test_the_low_rank_repair_equals_eigenvalue_clipping() -> None:
    rng = np.random.default_rng(11)
    factor = rng.normal(0.0, 0.1, (20, 35))
    factor -= factor.mean(axis=0)

    fast, fast_report = repair_low_rank(factor.copy())
    slow, slow_report = clip_eigenvalues(factor.T @ factor, PSD_EPS)

    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-15)
    assert fast_report.n_raised == slow_report.n_raised == 16  # rank 19 of 35


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(2, 12))
def test_any_symmetric_matrix_comes_out_positive_definite_with_its_diagonal(
    seed: int, size: int
) -> None:
    rng = np.random.default_rng(seed)
    half = rng.normal(size=(size, size))
    matrix = (half + half.T) / 2.0
    np.fill_diagonal(matrix, np.abs(np.diag(matrix)) + 0.1)

    repaired, _ = repair_psd(matrix)

    assert np.linalg.eigvalsh(repaired).min() > 0.0
    np.testing.assert_allclose(np.diag(repaired), np.diag(matrix), rtol=1e-12)


# -- the estimators report their repairs ----------------------------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [SampleCovariance(missing="pairwise"), EWMACovariance(half_life=50.0, missing="pairwise")],
)
def test_an_indefinite_pairwise_estimate_is_repaired_and_reported(
    estimator: SampleCovariance,
) -> None:
    returns = indefinite_pairwise_returns()
    raw = returns.cov().to_numpy() * 252
    assert np.linalg.eigvalsh(raw).min() < 0  # the premise: pairwise is indefinite here

    model = estimator.fit(returns)

    cov = model.covariance_.to_numpy()
    assert model.repaired_ is True
    assert "1 eigenvalue below 1.0e-10 raised" in model.repair_detail_
    assert np.linalg.eigvalsh(cov).min() > 0.0


def test_fewer_days_than_assets_gives_a_repaired_singular_sample_covariance() -> None:
    returns = make_returns(n_rows=30, n_assets=50)

    model = SampleCovariance().fit(returns)

    raw = np.cov(returns.to_numpy(), rowvar=False) * 252
    assert model.repaired_ is True
    assert model.repair_detail_.startswith("21 eigenvalues below 1.0e-10 raised")  # rank 29
    np.testing.assert_allclose(model.covariance_.to_numpy(), raw, rtol=1e-6, atol=1e-9)
    assert np.linalg.eigvalsh(model.covariance_.to_numpy()).min() > 0.0
