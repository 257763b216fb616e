"""Daily realised-variance proxies from one session's bars: the inputs of HAR and LSTM models.

With daily data only, a session's variance is measured by its squared close-to-close return
(unbiased, very noisy) or, more efficiently, from its range (all in log prices, ``u = ln(H/L)``,
``c = ln(C/O)``):

* Parkinson (1980): ``u**2 / (4 ln 2)``;
* Garman & Klass (1980): ``0.5 u**2 - (2 ln 2 - 1) c**2`` (never negative when the bar is
  consistent, ``L <= O, C <= H``).

Range estimators measure the open-to-close variance and miss the overnight gap; models that use
them (:class:`~microfolio.signals.volatility.har.HarVol`) rescale to close-to-close variance.
Each value uses one session's bar only, so it is known at that session's close.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError
from microfolio.signals.volatility._checks import check_choice

__all__ = ["RANGE_METHODS", "range_variance"]

RANGE_METHODS = ("parkinson", "garman_klass")


def range_variance(
    open_: pd.Series,
    high: pd.Series,
    low: pd.Series,
    close: pd.Series,
    method: Literal["parkinson", "garman_klass"] = "garman_klass",
) -> pd.Series:
    """One asset's daily (not annualised) range-based variance per session.

    The four Series share one index; a session with a missing price gives NaN (select the
    sessions of your returns with ``.loc[returns.index]`` before fitting). Refuses non-positive
    prices and bars whose high is below their low, open or close, or whose low is above them.
    """
    check_choice("method", method, RANGE_METHODS)
    series = {"open_": open_, "high": high, "low": low, "close": close}
    for name, values in series.items():
        if not isinstance(values, pd.Series):
            raise DataFormatError(f"{name} must be a pandas Series, got {type(values).__name__}")
        if not values.index.equals(open_.index):
            raise DataFormatError(f"{name} index must equal the open_ index")
    o, h, lo, c = (s.to_numpy(dtype=np.float64) for s in series.values())
    with np.errstate(invalid="ignore"):
        if np.any(np.minimum.reduce([o, h, lo, c]) <= 0.0):
            raise DataFormatError("range_variance: prices must be positive")
        inconsistent = (h < np.maximum.reduce([o, lo, c])) | (lo > np.minimum.reduce([o, h, c]))
    if np.any(inconsistent):
        first = open_.index[int(np.argmax(inconsistent))]
        raise DataFormatError(f"range_variance: bar at {first} has high below low, open or close")
    u = np.log(h / lo)
    if method == "parkinson":
        variance = np.square(u) / (4.0 * math.log(2.0))
    else:
        variance = 0.5 * np.square(u) - (2.0 * math.log(2.0) - 1.0) * np.square(np.log(c / o))
    return pd.Series(np.maximum(variance, 0.0), index=open_.index, name=method)
