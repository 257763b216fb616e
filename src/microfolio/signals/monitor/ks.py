"""The two-sample Kolmogorov-Smirnov test: the largest gap between two empirical CDFs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from microfolio.errors import InvariantError
from microfolio.signals.monitor._checks import check_sample

__all__ = ["KSResult", "ks"]


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

    The p-value assumes independent draws. Windows of overlapping rolling features, or panels
    of correlated tickers, are not: their p-values come out far too small, so judge drift by the
    statistic (an effect size) and read the p-value as a rough guide only.
    """
    reference = check_sample("expected", expected)
    sample = check_sample("actual", actual)
    from scipy.stats import ks_2samp  # here: scipy.stats takes 0.7 s to import

    result = ks_2samp(reference, sample)
    return KSResult(statistic=float(result.statistic), p_value=float(result.pvalue))
