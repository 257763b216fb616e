"""The estimator contracts: returns in, annualised moments out (scikit-learn style)."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import DataFormatError

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
    empty = returns.columns[np.isnan(values).all(axis=0)].tolist()
    if empty:
        raise DataFormatError(f"returns of {', '.join(map(str, empty))} are all missing")
    return returns


class ExpectedReturnsEstimator(BaseEstimator):  # type: ignore[misc]
    """Fits on periodic returns; ``mu_`` is the annualised expected return per asset (Series)."""

    mu_: pd.Series

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        raise NotImplementedError


class CovarianceEstimator(BaseEstimator):  # type: ignore[misc]
    """Fits on periodic returns; ``covariance_`` is the annualised covariance (DataFrame)."""

    covariance_: pd.DataFrame

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        raise NotImplementedError
