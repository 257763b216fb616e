"""Moment covariance estimators: the sample covariance and its exponentially weighted form.

Both are unbiased (ddof=1 for equal weights, reliability weights otherwise; see
:mod:`microfolio.estimate.moments`) and take the missing-data policy of
:mod:`microfolio.estimate.missing`: complete cases by default, pairwise on request.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import check_choice, check_count, check_positive
from microfolio.estimate.base import CovarianceEstimator, check_returns
from microfolio.estimate.missing import (
    MISSING_POLICIES,
    MissingPolicy,
    check_pair_counts,
    complete_rows,
)
from microfolio.estimate.moments import covariance_factor, covariance_pairwise, ewma_weights
from microfolio.estimate.returns import TRADING_DAYS, annualise_covariance

__all__ = ["EWMACovariance", "SampleCovariance"]

Floats = npt.NDArray[np.float64]


class _MomentCovariance(CovarianceEstimator):
    """Shared fit of the sample and EWMA covariances: weights (None = equal) are the only
    difference."""

    periods_per_year: int
    min_periods: int
    missing: MissingPolicy

    def _weights(self, n_periods: int) -> Floats | None:
        return None

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        per_year = check_positive("periods_per_year", self.periods_per_year)
        min_periods = check_count("min_periods", self.min_periods, 2)
        policy = check_choice("missing", self.missing, MISSING_POLICIES)
        columns = check_returns(returns).columns
        values = returns.to_numpy(dtype=np.float64)
        weights = self._weights(len(values))
        if policy == "pairwise" and np.isnan(values).any():
            cov, counts = covariance_pairwise(values, weights)
            check_pair_counts(counts, columns, min_periods)
            cov *= annualise_covariance(1.0, per_year)
            self._set_covariance(cov, columns, int(counts.min()))  # fewest rows a pair shares
            return self
        rows, keep = complete_rows(values, columns, min_periods)
        if weights is not None and keep is not None:
            weights = weights[keep]
        factor = covariance_factor(rows, weights, scale=annualise_covariance(1.0, per_year))
        self._set_gram_covariance(factor, columns, len(rows))
        return self


class SampleCovariance(_MomentCovariance):
    """The unbiased sample covariance (ddof=1), annualised.

    By default rows with any missing return are dropped (complete cases), so the result is
    positive semi-definite by construction; ``missing="pairwise"`` uses, for each pair, the rows
    where both have a return (the result may need the reported PSD repair). ``min_periods`` is
    the fewest rows (per pair, when pairwise) accepted.
    """

    def __init__(
        self,
        periods_per_year: int = TRADING_DAYS,
        min_periods: int = 2,
        missing: MissingPolicy = "complete",
    ) -> None:
        self.periods_per_year = periods_per_year
        self.min_periods = min_periods
        self.missing = missing


class EWMACovariance(_MomentCovariance):
    """Exponentially weighted covariance, annualised: recent returns count more.

    Row ``t`` of ``T`` weighs ``0.5 ** ((T - 1 - t) / half_life)`` (``half_life`` in rows, by
    position, so a dropped or missing row does not make older rows count more); the mean is
    weighted the same way and the covariance is bias-corrected, so ``half_life=inf`` gives the
    sample covariance and the result matches pandas' ``ewm(halflife=...).cov()`` on its last row.
    The default half-life of 63 sessions (a quarter) follows risk models' usual quarter-to-year
    range; RiskMetrics' daily lambda 0.94 is a half-life of about 11 sessions.
    """

    def __init__(
        self,
        half_life: float = 63.0,
        periods_per_year: int = TRADING_DAYS,
        min_periods: int = 2,
        missing: MissingPolicy = "complete",
    ) -> None:
        self.half_life = half_life
        self.periods_per_year = periods_per_year
        self.min_periods = min_periods
        self.missing = missing

    def _weights(self, n_periods: int) -> Floats | None:
        half_life = check_positive("half_life", self.half_life, allow_inf=True)
        return ewma_weights(n_periods, half_life)
