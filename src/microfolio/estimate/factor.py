"""Statistical factor covariance: principal components plus specific risk, for large universes.

``Sigma = B diag(f) B' + diag(s)`` where the columns of ``B`` are the ``n_factors`` leading
eigenvectors of the sample covariance ``S`` (ddof=1, complete cases), ``f`` their eigenvalues (the
factor variances) and ``s = diag(S) - diag(B diag(f) B')`` the specific variances. So every
asset keeps its sample variance, the common part is ``S`` projected on its main directions, and
``Sigma`` is positive semi-definite by construction (positive definite when every specific
variance is positive; otherwise, as with ``n_factors`` equal to the number of assets, which gives
``S`` back, the usual check and reported repair apply).

Why: with hundreds of assets and a few years of days ``S`` is noisy or singular; a handful of
factors keeps the structure that matters and discards the noise (Connor & Korajczyk, 1986).

Speed: the eigenvectors come from the smaller Gram matrix (LAPACK ``syevr``, leading subset only):
``S`` itself (p x p) when there are at least as many rows as assets, otherwise the n x n matrix
``X X' / (n - 1)`` whose eigenvectors ``u`` give ``B sqrt(f) = X' u / sqrt(n - 1)``, so 2000 assets
on 756 days costs an eigen-decomposition of 756, not 2000.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.linalg

from microfolio.checks import check_count, check_positive
from microfolio.errors import InvariantError
from microfolio.estimate.base import CovarianceEstimator, check_returns
from microfolio.estimate.missing import complete_rows
from microfolio.estimate.moments import covariance_factor, gram
from microfolio.estimate.returns import TRADING_DAYS, annualise_covariance

__all__ = ["FactorCovariance"]

Floats = npt.NDArray[np.float64]


class FactorCovariance(CovarianceEstimator):
    """PCA factor model ``B diag(f) B' + diag(s)``, annualised (complete cases).

    After ``fit``: ``loadings_`` (assets x factors, unit columns, signs chosen so that each
    column sums to a non-negative number), ``factor_variances_`` (``f``, annualised),
    ``specific_variances_`` (``s``, annualised) and ``explained_variance_ratio_`` (the share of
    total variance the factors carry). With fewer rows than ``n_factors`` only as many factors
    as rows exist (the rest would have zero variance).
    """

    loadings_: pd.DataFrame
    factor_variances_: pd.Series
    specific_variances_: pd.Series
    explained_variance_ratio_: float

    def __init__(
        self, n_factors: int = 5, periods_per_year: int = TRADING_DAYS, min_periods: int = 2
    ) -> None:
        self.n_factors = n_factors
        self.periods_per_year = periods_per_year
        self.min_periods = min_periods

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        per_year = check_positive("periods_per_year", self.periods_per_year)
        n_factors = check_count("n_factors", self.n_factors, 1)
        min_periods = check_count("min_periods", self.min_periods, 2)
        columns = check_returns(returns).columns
        if n_factors > len(columns):
            raise InvariantError(f"n_factors={n_factors} exceeds the {len(columns)} assets")
        rows, _ = complete_rows(returns.to_numpy(dtype=np.float64), columns, min_periods)
        factor = covariance_factor(rows, scale=annualise_covariance(1.0, per_year))
        variances = np.einsum("ij,ij->j", factor, factor)  # the sample variances, annualised
        vectors, eigenvalues = _leading_eigenpairs(factor, n_factors)
        common = gram((vectors * np.sqrt(eigenvalues)).T)
        specific = np.maximum(variances - np.diagonal(common), 0.0)
        common.flat[:: len(columns) + 1] += specific
        names = [f"factor_{k + 1}" for k in range(vectors.shape[1])]
        self.loadings_ = pd.DataFrame(vectors, index=columns, columns=names, copy=False)
        self.factor_variances_ = pd.Series(eigenvalues, index=names)
        self.specific_variances_ = pd.Series(specific, index=columns)
        total = float(variances.sum())
        self.explained_variance_ratio_ = float(eigenvalues.sum()) / total if total > 0 else 1.0
        self._set_covariance(common, columns, len(rows), eigenvalue_bound=float(specific.min()))
        return self


def _leading_eigenpairs(factor: Floats, k: int) -> tuple[Floats, Floats]:
    """The ``k`` leading eigenvectors (columns, largest first) and eigenvalues (clipped at zero)
    of ``factor' factor``, through whichever Gram matrix is smaller."""
    n, p = factor.shape
    if p <= n:
        values, vectors = _top(gram(factor), k)
    else:
        k = min(k, n)  # the dual has n eigenpairs; the others are zero and add nothing
        values, dual = _top(gram(factor.T), k)
        vectors = factor.T @ dual
        norms = np.sqrt(np.einsum("ij,ij->j", vectors, vectors))
        vectors /= np.where(norms > 0.0, norms, 1.0)
    signs = np.where(vectors.sum(axis=0) < 0.0, -1.0, 1.0)
    return vectors * signs, values


def _top(symmetric: Floats, k: int) -> tuple[Floats, Floats]:
    m = symmetric.shape[0]
    values, vectors = scipy.linalg.eigh(
        symmetric, subset_by_index=[m - k, m - 1], overwrite_a=True, check_finite=False
    )
    return np.maximum(values[::-1], 0.0), vectors[:, ::-1]
