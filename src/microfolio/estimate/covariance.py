"""Covariance estimators."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from microfolio.estimate.base import CovarianceEstimator, check_returns
from microfolio.estimate.returns import TRADING_DAYS

__all__ = ["SampleCovariance"]


class SampleCovariance(CovarianceEstimator):
    """The unbiased sample covariance (ddof=1), annualised.

    Rows with any missing return are dropped (complete cases), so the result is positive
    semi-definite by construction.
    """

    def __init__(self, periods_per_year: int = TRADING_DAYS) -> None:
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        values = check_returns(returns).to_numpy(dtype=float)
        values = values[~np.isnan(values).any(axis=1)]
        centred = values - values.mean(axis=0)
        cov = centred.T @ centred / (len(values) - 1) * self.periods_per_year
        self.covariance_ = pd.DataFrame(cov, index=returns.columns, columns=returns.columns)
        return self
