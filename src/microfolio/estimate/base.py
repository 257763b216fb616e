"""The estimator contracts: returns in, annualised moments out (scikit-learn style).

Parameters are stored in ``__init__`` exactly as given and checked in ``fit``; learned state ends
in ``_``; ``fit`` returns self. Inputs are periodic (daily) returns, a DataFrame with dates as rows
and tickers as columns (NaN where an asset has no return yet); outputs are annualised and
labelled by ticker.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import DataFormatError
from microfolio.estimate.moments import gram
from microfolio.estimate.psd import (
    PSD_EPS,
    RepairReport,
    ensure_positive_definite,
    repair_low_rank,
)

__all__ = ["CovarianceEstimator", "ExpectedReturnsEstimator", "check_returns"]


def check_returns(returns: pd.DataFrame, min_rows: int = 2) -> pd.DataFrame:
    """Refuse what is not a frame of periodic returns: one line naming the problem."""
    if not isinstance(returns, pd.DataFrame):
        raise DataFormatError(f"returns must be a DataFrame, got {type(returns).__name__}")
    if returns.shape[1] == 0:
        raise DataFormatError("returns have no columns (no assets)")
    if returns.shape[0] < min_rows:
        raise DataFormatError(f"returns need at least {min_rows} rows, got {returns.shape[0]}")
    if not returns.columns.is_unique:
        dup = returns.columns[returns.columns.duplicated()].tolist()
        raise DataFormatError(f"returns have duplicate columns: {dup}")
    values = returns.to_numpy(dtype=float)
    if np.isinf(values).any():
        raise DataFormatError("returns contain infinite values")
    empty = np.isnan(values).all(axis=0)
    if empty.any():
        names = ", ".join(map(str, returns.columns[empty]))
        raise DataFormatError(f"returns of {names} are all missing")
    return returns


class ExpectedReturnsEstimator(BaseEstimator):  # type: ignore[misc]
    """Fits on periodic returns; ``mu_`` is the annualised expected return per asset (Series)."""

    mu_: pd.Series

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        raise NotImplementedError


class CovarianceEstimator(BaseEstimator):  # type: ignore[misc]
    """Fits on periodic returns; ``covariance_`` is the annualised covariance (DataFrame).

    Every covariance handed out has eigenvalues of at least ``PSD_EPS`` (see
    :mod:`microfolio.estimate.psd`); ``repaired_`` says whether a repair was needed and
    ``repair_detail_`` says what it did (empty when nothing), so optimisers can report it.
    ``n_observations_`` is the number of rows the estimate used.
    """

    covariance_: pd.DataFrame
    repaired_: bool
    repair_detail_: str
    n_observations_: int

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        raise NotImplementedError

    def _set_covariance(
        self,
        cov: npt.NDArray[np.float64],
        columns: pd.Index,
        n_observations: int,
        eigenvalue_bound: float | None = None,
    ) -> None:
        """Publish the annualised ``cov`` (exactly symmetric, owned: it may be modified) after
        the positive-definiteness check; ``eigenvalue_bound`` is a known lower bound on its
        eigenvalues that lets the check be skipped."""
        if not np.isfinite(cov).all():
            raise DataFormatError(f"{type(self).__name__}: the covariance has non-finite entries")
        cov, report = ensure_positive_definite(cov, PSD_EPS, eigenvalue_bound)
        self._publish(cov, report, columns, n_observations)

    def _set_gram_covariance(
        self, factor: npt.NDArray[np.float64], columns: pd.Index, n_observations: int
    ) -> None:
        """Publish the covariance ``factor' factor`` (annualised); with no more rows than
        assets it is singular, and the repair goes through the small side (``repair_low_rank``)."""
        if factor.shape[0] > factor.shape[1]:
            self._set_covariance(gram(factor), columns, n_observations)
            return
        if not np.isfinite(factor).all():
            raise DataFormatError(f"{type(self).__name__}: the covariance has non-finite entries")
        cov, report = repair_low_rank(factor, PSD_EPS)
        self._publish(cov, report, columns, n_observations)

    def _publish(
        self,
        cov: npt.NDArray[np.float64],
        report: RepairReport,
        columns: pd.Index,
        n_observations: int,
    ) -> None:
        self.covariance_ = pd.DataFrame(cov, index=columns, columns=columns, copy=False)
        self.repaired_ = report.repaired
        self.repair_detail_ = report.detail
        self.n_observations_ = n_observations
