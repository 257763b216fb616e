"""A transparent rule: market volatility against its own history, plus drawdown and trend.

On daily market returns ``r`` (see :func:`~microfolio.signals.regime.market_returns`), with a
level index ``L = cumprod(1 + r)``:

* ``vol_t``: annualised standard deviation (ddof 1, x sqrt(252)) of the last ``vol_window``
  returns;
* ``drawdown_t``: ``L_t / max(L over the last drawdown_window sessions) - 1`` (<= 0);
* ``ma_gap_t``: ``L_t / mean(L over the last ma_window sessions) - 1`` (< 0: below trend);
* thresholds ``volatile_vol_t`` and ``stressed_vol_t``: the ``volatile_quantile`` and
  ``stressed_quantile`` quantiles (linear interpolation) of ``vol`` over a training sample.

The label is **stressed** if ``drawdown_t <= -stressed_drawdown``, or if ``vol_t >=
stressed_vol_t`` while ``ma_gap_t < 0``; else **volatile** if ``vol_t >= volatile_vol_t`` or
``ma_gap_t < 0``; else **calm**. With the defaults: a 10 % fall from the one-year high, or
volatility in the top decile of its history below the 200-day average, is stress; volatility
in the top quartile, or the price under its 200-day average, is volatile.

:meth:`RuleRegime.fit` learns fixed thresholds from a training sample and :meth:`~RuleRegime.
predict` applies them. :meth:`~RuleRegime.regimes` is the point-in-time walk-forward: the
thresholds of ``t`` are the quantiles of ``vol`` over sessions ``<= t`` (an expanding window,
from ``min_history`` volatilities on), so ``regimes(r).loc[t]`` equals
``fit(r[:t]).predict(r[:t]).loc[t]`` and nothing after ``t`` moves it.
"""

from __future__ import annotations

import math
from typing import Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from microfolio.errors import InvariantError
from microfolio.features.library import SESSIONS_PER_YEAR
from microfolio.signals.regime._checks import check_count, check_fraction, check_returns
from microfolio.signals.regime.labels import REGIMES

__all__ = ["INDICATOR_COLUMNS", "RuleRegime"]

#: the columns of :meth:`RuleRegime.indicators`
INDICATOR_COLUMNS: tuple[str, ...] = (
    "vol",
    "volatile_vol",
    "stressed_vol",
    "drawdown",
    "ma_gap",
    "regime",
)


class RuleRegime(BaseEstimator):  # type: ignore[misc]
    """Calm, volatile or stressed from market volatility, drawdown and trend (module doc).

    Parameters: ``vol_window`` (sessions of the realised volatility, 21), ``volatile_quantile``
    (0.75) and ``stressed_quantile`` (0.90) of the volatility history, ``stressed_drawdown``
    (0.10: a fall of 10 % from the high), ``drawdown_window`` (252: the high of the last year),
    ``ma_window`` (200: the trend), ``min_history`` (252: volatilities needed before a
    threshold is trusted).
    """

    #: the volatilities at ``volatile_quantile`` and ``stressed_quantile`` of the training sample
    volatile_vol_: float
    stressed_vol_: float
    #: returns seen by ``fit`` and the last date among them
    n_observations_: int
    origin_: pd.Timestamp

    def __init__(
        self,
        vol_window: int = 21,
        volatile_quantile: float = 0.75,
        stressed_quantile: float = 0.90,
        stressed_drawdown: float = 0.10,
        drawdown_window: int = 252,
        ma_window: int = 200,
        min_history: int = 252,
    ) -> None:
        self.vol_window = vol_window
        self.volatile_quantile = volatile_quantile
        self.stressed_quantile = stressed_quantile
        self.stressed_drawdown = stressed_drawdown
        self.drawdown_window = drawdown_window
        self.ma_window = ma_window
        self.min_history = min_history

    # -- the contract ---------------------------------------------------------------------------

    def min_observations(self) -> int:
        """Returns needed before the first label: every window full and ``min_history``
        volatilities behind the thresholds."""
        self._check_params()
        return max(self.vol_window + self.min_history - 1, self.drawdown_window, self.ma_window)

    def fit(self, returns: pd.Series, y: object = None) -> Self:
        """Learn the volatility thresholds: quantiles of ``vol`` over the training ``returns``."""
        self._check_params()
        check_returns(returns, self.min_observations())
        vol = self._vol(returns).dropna().to_numpy()
        self.volatile_vol_ = float(np.quantile(vol, self.volatile_quantile))
        self.stressed_vol_ = float(np.quantile(vol, self.stressed_quantile))
        self.n_observations_ = len(returns)
        self.origin_ = pd.Timestamp(returns.index[-1])
        return self

    def predict(self, returns: pd.Series) -> pd.Series:
        """Label every date of ``returns`` whose windows are full, with the fitted thresholds.

        Point in time only for dates on or after the last training date (``origin_``); for
        earlier dates the thresholds saw their future: use :meth:`regimes` for history.
        """
        check_is_fitted(self, "stressed_vol_")
        check_returns(returns, max(self.vol_window, self.drawdown_window, self.ma_window))
        frame = self._frame(returns)
        frame["volatile_vol"] = self.volatile_vol_
        frame["stressed_vol"] = self.stressed_vol_
        return self._label(frame.dropna())

    def regimes(self, returns: pd.Series) -> pd.Series:
        """The point-in-time label of every date from the first with full windows and
        ``min_history`` volatilities: thresholds from an expanding window ending at each date."""
        return self.indicators(returns)["regime"]

    def indicators(self, returns: pd.Series) -> pd.DataFrame:
        """What :meth:`regimes` decides from, per date: columns :data:`INDICATOR_COLUMNS`
        (the inputs of the rule, point in time, and the label they give)."""
        self._check_params()
        check_returns(returns, self.min_observations())
        frame = self._frame(returns)
        expanding = frame["vol"].expanding(min_periods=self.min_history)
        frame["volatile_vol"] = expanding.quantile(self.volatile_quantile)
        frame["stressed_vol"] = expanding.quantile(self.stressed_quantile)
        frame = frame.dropna()
        frame["regime"] = self._label(frame)
        return frame.loc[:, list(INDICATOR_COLUMNS)]

    # -- the parts ------------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_count("vol_window", self.vol_window, 2)
        check_count("drawdown_window", self.drawdown_window, 1)
        check_count("ma_window", self.ma_window, 1)
        check_count("min_history", self.min_history, 1)
        volatile = check_fraction("volatile_quantile", self.volatile_quantile, closed_right=True)
        stressed = check_fraction("stressed_quantile", self.stressed_quantile, closed_right=True)
        if stressed < volatile:
            raise InvariantError(
                f"stressed_quantile must be >= volatile_quantile ({volatile!r}), "
                f"got {self.stressed_quantile!r}"
            )
        drawdown = check_fraction("stressed_drawdown", self.stressed_drawdown, closed_right=True)
        if drawdown == 0.0:
            raise InvariantError(
                f"stressed_drawdown must be above 0, got {self.stressed_drawdown!r}"
            )

    def _vol(self, returns: pd.Series) -> pd.Series:
        std = returns.astype(float).rolling(self.vol_window, min_periods=self.vol_window).std()
        return std * math.sqrt(SESSIONS_PER_YEAR)

    def _frame(self, returns: pd.Series) -> pd.DataFrame:
        """vol, drawdown and ma_gap per date (NaN until their windows are full)."""
        level = (1.0 + returns.astype(float)).cumprod()
        high = level.rolling(self.drawdown_window, min_periods=self.drawdown_window).max()
        trend = level.rolling(self.ma_window, min_periods=self.ma_window).mean()
        return pd.DataFrame(
            {
                "vol": self._vol(returns),
                "drawdown": level / high - 1.0,
                "ma_gap": level / trend - 1.0,
            }
        )

    def _label(self, frame: pd.DataFrame) -> pd.Series:
        """The rule of the module doc over complete rows of vol, thresholds, drawdown, ma_gap."""
        vol = frame["vol"].to_numpy()
        below_trend = frame["ma_gap"].to_numpy() < 0.0
        stressed = (frame["drawdown"].to_numpy() <= -self.stressed_drawdown) | (
            (vol >= frame["stressed_vol"].to_numpy()) & below_trend
        )
        volatile = (vol >= frame["volatile_vol"].to_numpy()) | below_trend
        codes = np.where(stressed, 2, np.where(volatile, 1, 0))
        labels = [REGIMES[code] for code in codes]
        return pd.Series(labels, index=frame.index, name="regime", dtype=object)
