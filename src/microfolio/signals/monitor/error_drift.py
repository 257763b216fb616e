"""Error drift: is a model's recent out-of-sample skill worse than it was?

:class:`ErrorDriftMonitor` watches a per-date score of a model measured out of sample: an
information coefficient (:func:`~microfolio.signals.monitor.rank_ic`, higher is better) or a
loss (squared error, QLIKE: ``higher_is_better=False``). ``fit(reference)`` keeps the scores of
a reference period (for example the model's validation window); ``check(scores)`` takes the
last ``window`` scores of a series that runs up to today and compares them with the reference:
the means, the one-sided Welch t-test that the recent mean is worse (lower for a skill, higher
for a loss) and the KS statistic of the two distributions. The drift is ``significant`` when
the t-test's p-value is below ``alpha``.

Daily scores of overlapping-horizon forecasts are autocorrelated, which makes the t-test too
eager; score non-overlapping dates (every ``horizon``-th session) when that matters.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.monitor._checks import (
    check_count,
    check_sample,
    check_unit_interval,
    session,
)
from microfolio.signals.monitor.ks import KSResult, ks

__all__ = ["ErrorDriftMonitor", "ErrorDriftReport"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ErrorDriftReport:
    """Recent out-of-sample scores against the reference ones.

    ``degradation`` is how much worse the recent mean is, in the score's units (positive:
    worse; for a skill ``reference_mean - recent_mean``, for a loss ``recent_mean -
    reference_mean``); ``p_value`` is the one-sided Welch t-test of "worse".
    """

    reference_start: dt.date
    reference_end: dt.date
    window_start: dt.date
    window_end: dt.date
    higher_is_better: bool
    reference_mean: float
    recent_mean: float
    degradation: float
    t_statistic: float
    p_value: float
    ks_statistic: float
    n_reference: int
    n_recent: int
    alpha: float

    def __post_init__(self) -> None:
        for name in ("reference_mean", "recent_mean", "degradation", "t_statistic"):
            value = getattr(self, name)
            if not (isinstance(value, float) and math.isfinite(value)):
                raise InvariantError(f"{name} must be a finite float, got {value!r}")
        KSResult(self.ks_statistic, self.p_value)  # both in [0, 1]
        check_unit_interval("alpha", self.alpha)
        check_count("n_reference", self.n_reference, 2)
        check_count("n_recent", self.n_recent, 2)
        if self.window_start > self.window_end or self.reference_start > self.reference_end:
            raise InvariantError("a span must not start after it ends")

    @property
    def significant(self) -> bool:
        """Whether the recent scores are significantly worse (``p_value < alpha``)."""
        return self.p_value < self.alpha

    def describe(self) -> str:
        """One line: the means, the change and the test."""
        direction = "higher" if self.higher_is_better else "lower"
        return (
            f"mean score {self.recent_mean:.4g} over {self.window_start}..{self.window_end} "
            f"against {self.reference_mean:.4g} over {self.reference_start}.."
            f"{self.reference_end} ({direction} is better; degradation {self.degradation:.4g}, "
            f"one-sided p = {self.p_value:.3g})"
        )


class ErrorDriftMonitor(BaseEstimator):  # type: ignore[misc]
    """Compare a model's recent per-date scores with a reference period (module doc).

    Parameters: ``higher_is_better`` (True for an IC, False for a loss), ``window`` (recent
    scores compared: the last ``window`` of the series given to ``check``), ``alpha`` (level of
    the one-sided test), ``min_reference`` (scores the reference needs).
    """

    reference_: Floats
    reference_start_: dt.date
    reference_end_: dt.date

    def __init__(
        self,
        higher_is_better: bool = True,
        window: int = 63,
        alpha: float = 0.05,
        min_reference: int = 63,
    ) -> None:
        self.higher_is_better = higher_is_better
        self.window = window
        self.alpha = alpha
        self.min_reference = min_reference

    def fit(self, reference: pd.Series, y: object = None) -> Self:
        """Keep the reference scores (a Series indexed by date; missing values dropped)."""
        self._check_params()
        values, dates = _scores("reference", reference, self.min_reference)
        self.reference_ = values
        self.reference_start_ = session(dates[0])
        self.reference_end_ = session(dates[-1])
        return self

    def check(self, scores: pd.Series) -> ErrorDriftReport:
        """The last ``window`` scores of ``scores`` (missing values dropped) against the
        reference."""
        check_is_fitted(self, "reference_")
        values, dates = _scores("scores", scores, self.window)
        recent, recent_dates = values[-self.window :], dates[-self.window :]
        reference_mean = float(np.mean(self.reference_))
        recent_mean = float(np.mean(recent))
        change = recent_mean - reference_mean
        degradation = -change if self.higher_is_better else change
        if np.ptp(recent) == 0.0 and np.ptp(self.reference_) == 0.0:
            # no spread on either side: the t statistic is undefined (reported 0), and any
            # worsening of the mean is certain
            t_statistic, p_value = 0.0, 0.0 if degradation > 0.0 else 1.0
        else:
            worse = "less" if self.higher_is_better else "greater"
            from scipy.stats import ttest_ind  # here: scipy.stats takes 0.7 s to import

            test = ttest_ind(recent, self.reference_, equal_var=False, alternative=worse)
            t_statistic, p_value = float(test.statistic), float(test.pvalue)
        return ErrorDriftReport(
            reference_start=self.reference_start_,
            reference_end=self.reference_end_,
            window_start=session(recent_dates[0]),
            window_end=session(recent_dates[-1]),
            higher_is_better=bool(self.higher_is_better),
            reference_mean=reference_mean,
            recent_mean=recent_mean,
            degradation=degradation,
            t_statistic=t_statistic,
            p_value=p_value,
            ks_statistic=ks(self.reference_, recent).statistic,
            n_reference=len(self.reference_),
            n_recent=len(recent),
            alpha=float(self.alpha),
        )

    def _check_params(self) -> None:
        if not isinstance(self.higher_is_better, bool):
            raise InvariantError(
                f"higher_is_better must be True or False, got {self.higher_is_better!r}"
            )
        check_count("window", self.window, 2)
        check_unit_interval("alpha", self.alpha)
        check_count("min_reference", self.min_reference, 2)


def _scores(name: str, scores: object, minimum: int) -> tuple[Floats, pd.DatetimeIndex]:
    """Scores without missing values, on a strictly increasing DatetimeIndex."""
    if not isinstance(scores, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(scores).__name__}")
    if not isinstance(scores.index, pd.DatetimeIndex):
        raise DataFormatError(f"{name} must be indexed by dates, got {type(scores.index).__name__}")
    if not (scores.index.is_monotonic_increasing and scores.index.is_unique):
        raise DataFormatError(f"{name} index must be strictly increasing (sorted, no duplicates)")
    kept = scores.dropna()
    values = check_sample(name, kept.to_numpy(dtype=np.float64), minimum)
    return values, pd.DatetimeIndex(kept.index)
