"""Expected-return estimators."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from microfolio.estimate.base import ExpectedReturnsEstimator, check_returns
from microfolio.estimate.returns import TRADING_DAYS

__all__ = ["HistoricalMean"]


class HistoricalMean(ExpectedReturnsEstimator):
    """The arithmetic mean of periodic returns, annualised (missing returns skipped)."""

    def __init__(self, periods_per_year: int = TRADING_DAYS) -> None:
        self.periods_per_year = periods_per_year

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        values = check_returns(returns).to_numpy(dtype=float)
        mean = np.nanmean(values, axis=0) * self.periods_per_year
        self.mu_ = pd.Series(mean, index=returns.columns)
        return self
