"""Forward labels for supervised models, and how a walk-forward split must purge them.

The label of ``(t, ticker)`` is built only from prices after ``t`` and the close of ``t``
itself: ``close_{t+h} / close_t - 1`` with ``h`` counted in sessions of the bars. It is NaN
where ``t + h`` lies beyond the data (the last ``h`` sessions) or either close is missing.

A label at ``t`` is **not known at t**: it becomes known at the close of session ``t + h``
(:func:`label_end`). A model trained at decision date ``T`` may therefore only use samples
whose labels ended by ``T``: of a training window of consecutive sessions ending at ``T``, the
last ``h`` sessions must be dropped (:func:`purge`), otherwise their labels look into the test
period that follows ``T``. Features need no purge: they only read sessions ``<= t``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from microfolio.checks import check_count
from microfolio.errors import NotFoundError
from microfolio.features.bars import Bars, as_wide_bars
from microfolio.features.frame import FeatureFrame

__all__ = ["forward_excess_returns", "forward_returns", "label_end", "purge"]


def forward_returns(bars: Bars, horizon: int) -> pd.Series:
    """``close_{t+h} / close_t - 1`` per (date, ticker) where the ticker has a bar at ``t``.

    Long form (the row set of :class:`~microfolio.features.FeatureSet` output), named
    ``fwd_ret_{h}``; NaN where ``t + h`` is past the last session or a close is missing.
    """
    h = check_count("horizon", horizon, 1)
    wide = as_wide_bars(bars)
    forward = wide.close.shift(-h) / wide.close - 1.0
    return _long(forward, wide.close.notna(), f"fwd_ret_{h}")


def forward_excess_returns(bars: Bars, horizon: int, benchmark: str | None = None) -> pd.Series:
    """The forward return of each ticker minus that of ``benchmark`` (a ticker of the bars) or,
    if None, minus the cross-sectional mean of the forward returns at ``t`` (over the tickers
    that have one). Named ``fwd_excess_{h}``; NaN where either side is missing.
    """
    h = check_count("horizon", horizon, 1)
    wide = as_wide_bars(bars)
    if benchmark is not None and benchmark not in set(wide.tickers):
        raise NotFoundError(f"benchmark {benchmark!r} is not a ticker of the bars")
    forward = wide.close.shift(-h) / wide.close - 1.0
    base = forward.mean(axis=1, skipna=True) if benchmark is None else forward[benchmark]
    excess = forward.sub(base, axis=0)
    return _long(excess, wide.close.notna(), f"fwd_excess_{h}")


def label_end(
    date: dt.date | str | pd.Timestamp, horizon: int, sessions: pd.DatetimeIndex
) -> pd.Timestamp:
    """The session at whose close the ``horizon``-session label of ``date`` becomes known.

    Raises ``NotFoundError`` if ``date`` is not one of ``sessions`` or the label ends after the
    last of them.
    """
    h = check_count("horizon", horizon, 1)
    day = pd.Timestamp(date)
    position = int(sessions.get_indexer(pd.DatetimeIndex([day]))[0])
    if position < 0:
        raise NotFoundError(f"date {day.date()} is not one of the sessions")
    if position + h >= len(sessions):
        raise NotFoundError(
            f"the label of {day.date()} with horizon {h} ends after the last session "
            f"{sessions[-1].date()}"
        )
    end: pd.Timestamp = sessions[position + h]
    return end


def purge(
    train_dates: pd.DatetimeIndex, horizon: int, sessions: pd.DatetimeIndex | None = None
) -> pd.DatetimeIndex:
    """The training dates whose labels are known at the last training date.

    Keeps ``t`` with ``label_end(t) <= max(train_dates)``, counting sessions in ``sessions``
    (default: ``train_dates`` themselves, taken as consecutive sessions, so the last
    ``horizon`` dates are dropped). Pass the market's sessions when ``train_dates`` skip some.
    Raises ``NotFoundError`` if a training date is not one of ``sessions``.
    """
    h = check_count("horizon", horizon, 1)
    dates = pd.DatetimeIndex(train_dates).unique().sort_values()
    if len(dates) == 0:
        return dates
    calendar = dates if sessions is None else pd.DatetimeIndex(sessions)
    positions = calendar.get_indexer(dates)
    if (positions < 0).any():
        first = dates[int(np.argmax(positions < 0))]
        raise NotFoundError(f"train date {first.date()} is not one of the sessions")
    kept: pd.DatetimeIndex = dates[positions + h <= positions[-1]]
    return kept


def _long(wide: pd.DataFrame, present: pd.DataFrame, name: str) -> pd.Series:
    """One wide label frame as a long Series over the cells where a bar exists."""
    series: pd.Series = FeatureFrame.from_wide({name: wide}, present).frame[name]
    return series
