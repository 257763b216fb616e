"""The two-sample Kolmogorov-Smirnov test: the largest gap between two empirical CDFs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from microfolio.errors import InvariantError
from microfolio.signals.monitor._checks import check_sample

__all__ = ["ASYMPTOTIC_FROM", "KSResult", "ks"]

#: sample size (each side) from which the p-value is the asymptotic one
ASYMPTOTIC_FROM = 100


@dataclass(frozen=True, slots=True)
class KSResult:
    """The KS statistic (in [0, 1]: the largest vertical gap between the two empirical CDFs)
    and its two-sided p-value under the null that both samples come from one distribution."""

    statistic: float
    p_value: float

    def __post_init__(self) -> None:
        for name in ("statistic", "p_value"):
            value = getattr(self, name)
            if not (isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0):
                raise InvariantError(f"{name} must be a float in [0, 1], got {value!r}")


def ks(expected: object, actual: object) -> KSResult:
    """``scipy.stats.ks_2samp`` of two one-dimensional samples of finite numbers.

    With at least :data:`ASYMPTOTIC_FROM` values on each side the p-value is the asymptotic
    one (scipy's exact computation can take a tenth of a second per call on samples of
    thousands, for a p-value that agrees to about three digits); smaller samples get scipy's
    default. The p-value assumes independent draws. Windows of overlapping rolling features, or panels
    of correlated tickers, are not: their p-values come out far too small, so judge drift by the
    statistic (an effect size) and read the p-value as a rough guide only.
    """
    reference = check_sample("expected", expected)
    sample = check_sample("actual", actual)
    from scipy.stats import ks_2samp  # here: scipy.stats takes 0.7 s to import

    large = min(len(reference), len(sample)) >= ASYMPTOTIC_FROM
    result = ks_2samp(reference, sample, method="asymp" if large else "auto")
    return KSResult(statistic=float(result.statistic), p_value=float(result.pvalue))
