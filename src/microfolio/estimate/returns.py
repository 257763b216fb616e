"""Returns from prices, and annualisation: in one place.

Every estimator works on periodic (daily) returns and reports annualised moments. The scaling is
the usual i.i.d. rule, applied here and nowhere else:

* mean: ``periods_per_year * periodic mean``;
* covariance: ``periods_per_year * periodic covariance``;
* volatility: ``sqrt(periods_per_year) * periodic standard deviation``.

It is exact for log returns and the standard first-order approximation for simple returns.
"""

from __future__ import annotations

import math
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "TRADING_DAYS",
    "annualise_covariance",
    "annualise_mean",
    "annualise_volatility",
    "returns_from_prices",
]

#: sessions per year used to annualise daily statistics
TRADING_DAYS = 252

#: what the annualisers scale: a number, an array, or labelled pandas data (type preserved)
Moment = TypeVar("Moment", float, npt.NDArray[np.float64], pd.Series, pd.DataFrame)


def returns_from_prices(
    prices: pd.DataFrame, kind: Literal["simple", "log"] = "simple"
) -> pd.DataFrame:
    """Period returns from a wide frame of prices; the first row (no previous price) is dropped.

    A missing price gives a missing return (never a zero): statistics skip it.
    """
    values = prices.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
    out = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.DataFrame(out, index=prices.index[1:], columns=prices.columns, copy=False)


def annualise_mean(periodic: Moment, periods_per_year: float = TRADING_DAYS) -> Moment:
    """Scale a periodic mean return to a yearly one."""
    return periodic * float(periods_per_year)


def annualise_covariance(periodic: Moment, periods_per_year: float = TRADING_DAYS) -> Moment:
    """Scale a periodic covariance (or variance) to a yearly one."""
    return periodic * float(periods_per_year)


def annualise_volatility(periodic: Moment, periods_per_year: float = TRADING_DAYS) -> Moment:
    """Scale a periodic standard deviation to a yearly one (square-root-of-time rule)."""
    return periodic * math.sqrt(periods_per_year)
