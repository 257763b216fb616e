"""Shrinkage covariance: the sample covariance pulled towards a scaled identity.

``Sigma = (1 - d) S + d mu I`` with ``S`` the maximum-likelihood covariance (divided by ``n``,
complete cases), ``mu = trace(S) / p`` and the intensity ``d`` in [0, 1] chosen from the data:

* :class:`LedoitWolf`: Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional
  covariance matrices", J. Multivariate Analysis 88(2): ``d = min(b, c) / c`` with
  ``c = ||S - mu I||^2 / p`` and ``b = (sum_t ||x_t||^4 / n - ||S||^2) / (p n)``;
* :class:`OAS`: Chen, Wiesel, Eldar & Hero (2010), "Shrinkage algorithms for MMSE covariance
  estimation", IEEE Trans. Signal Processing 58(10):
  ``d = min(1, (a + mu^2) / ((n + 1)(a - mu^2 / p)))`` with ``a = ||S||^2 / p^2``.

Both are the formulas of scikit-learn's ``ledoit_wolf`` and ``oas`` (results agree to rounding),
written in closed form: one ``syrk`` for ``S`` and O(n p) for the rest, where scikit-learn forms
extra p-by-p products (measured on 500 assets x 756 days: 4.0 ms here against 14 ms for
``ledoit_wolf`` and 116 ms for ``oas``). Well-conditioned even with more assets than rows, and
positive definite by construction (every eigenvalue at least ``d mu``).
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.checks import check_count, check_positive
from microfolio.estimate.base import CovarianceEstimator, check_returns
from microfolio.estimate.missing import complete_rows
from microfolio.estimate.moments import gram
from microfolio.estimate.returns import TRADING_DAYS, annualise_covariance

__all__ = ["OAS", "LedoitWolf"]

Floats = npt.NDArray[np.float64]


class _ShrunkCovariance(CovarianceEstimator):
    """Shared fit; subclasses give the intensity. ``shrinkage_`` is the fitted intensity."""

    shrinkage_: float

    def __init__(self, periods_per_year: int = TRADING_DAYS, min_periods: int = 2) -> None:
        self.periods_per_year = periods_per_year
        self.min_periods = min_periods

    @staticmethod
    def _intensity(centred: Floats, mle: Floats, target: float) -> float:
        raise NotImplementedError

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        per_year = check_positive("periods_per_year", self.periods_per_year)
        min_periods = check_count("min_periods", self.min_periods, 2)
        columns = check_returns(returns).columns
        rows, _ = complete_rows(returns.to_numpy(dtype=np.float64), columns, min_periods)
        centred = rows - rows.mean(axis=0)
        n, p = centred.shape
        cov = gram(centred)
        cov /= n
        target = float(np.trace(cov)) / p
        shrinkage = 0.0 if p == 1 else min(max(self._intensity(centred, cov, target), 0.0), 1.0)
        cov *= 1.0 - shrinkage
        cov.flat[:: p + 1] += shrinkage * target
        scale = annualise_covariance(1.0, per_year)
        cov *= scale
        self.shrinkage_ = shrinkage
        self._set_covariance(cov, columns, n, eigenvalue_bound=shrinkage * target * scale)
        return self


class LedoitWolf(_ShrunkCovariance):
    """Ledoit-Wolf shrinkage to a scaled identity, annualised (complete cases)."""

    @staticmethod
    def _intensity(centred: Floats, mle: Floats, target: float) -> float:
        n, p = centred.shape
        squared_norm = float(np.vdot(mle, mle))
        row_norms = np.einsum("ij,ij->i", centred, centred)
        b = (float(row_norms @ row_norms) / n - squared_norm) / (p * n)
        c = (squared_norm - p * target * target) / p
        b = min(b, c)
        return 0.0 if b == 0.0 else b / c


class OAS(_ShrunkCovariance):
    """Oracle approximating shrinkage to a scaled identity, annualised (complete cases)."""

    @staticmethod
    def _intensity(centred: Floats, mle: Floats, target: float) -> float:
        n, p = centred.shape
        a = float(np.vdot(mle, mle)) / (p * p)
        numerator = a + target * target
        denominator = (n + 1) * (a - target * target / p)
        return 1.0 if denominator == 0.0 else min(numerator / denominator, 1.0)
