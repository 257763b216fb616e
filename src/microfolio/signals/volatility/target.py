"""The realised-variance target of a forecast made at the close of session ``t``.

``RV[t] = (TRADING_DAYS / h) * sum(r[t+1]**2 .. r[t+h]**2)``: the annualised mean squared daily
return over the next ``h`` sessions, built only from returns *after* ``t``. It is the quantity
``VolatilityForecaster.predict(h) ** 2`` forecasts, and an unbiased (if noisy) proxy of the
true variance when returns have zero conditional mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microfolio.estimate import TRADING_DAYS
from microfolio.signals.volatility._checks import check_count, check_returns_series

__all__ = ["forward_realised_variance"]


def forward_realised_variance(returns: pd.Series, horizon: int = 1) -> pd.Series:
    """Annualised realised variance over the ``horizon`` sessions after each origin.

    Indexed like ``returns`` (daily log returns); the last ``horizon`` origins, whose window
    runs past the data, are NaN.
    """
    steps = check_count("horizon", horizon, 1)
    values = check_returns_series(returns, steps + 1)
    target = np.full(len(values), np.nan)
    # origin i covers returns i+1 .. i+h
    windows = np.lib.stride_tricks.sliding_window_view(np.square(values[1:]), steps)
    target[: len(windows)] = windows.sum(axis=1)
    return pd.Series(target * (TRADING_DAYS / steps), index=returns.index, name="realised_variance")
