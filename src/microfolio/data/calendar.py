"""Exchange sessions (XNYS) from exchange-calendars, built once per use with an explicit range.

exchange-calendars defaults to the last 20 years; asking for the range of the data (start and end
explicit) makes older history work and keeps construction to one call (about 0.1 s) per gate.
"""

from __future__ import annotations

import datetime as dt
import warnings

import exchange_calendars as xcals
import pandas as pd

from microfolio.errors import DataFormatError

__all__ = ["EXCHANGE", "naive_sessions", "xnys_calendar", "xnys_sessions"]

EXCHANGE = "XNYS"
#: exchange-calendars wants start < end and sessions inside; pad, then cut back to the range
_PAD = pd.Timedelta(days=10)


def xnys_calendar(start: dt.date | str, end: dt.date | str) -> xcals.ExchangeCalendar:
    """The XNYS calendar covering ``start`` to ``end`` (padded: exchange-calendars wants its
    sessions strictly inside the range)."""
    first = pd.Timestamp(start).normalize()
    last = pd.Timestamp(end).normalize()
    if last < first:
        raise DataFormatError(f"calendar end {last.date()} is before its start {first.date()}")
    try:
        with warnings.catch_warnings():
            # exchange-calendars 4.13 trips pandas 3.1 deprecation warnings internally
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            return xcals.get_calendar(EXCHANGE, start=first - _PAD, end=last + _PAD)
    except Exception as exc:  # exchange-calendars raises its own types for unsupported ranges
        raise DataFormatError(
            f"dates {first.date()} to {last.date()} are outside the {EXCHANGE} calendar ({exc})"
        ) from exc


def naive_sessions(calendar: xcals.ExchangeCalendar) -> pd.DatetimeIndex:
    """A calendar's sessions as naive midnight timestamps named ``date``."""
    sessions = pd.DatetimeIndex(calendar.sessions)
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    return pd.DatetimeIndex(sessions.astype("datetime64[ns]"), name="date")


def xnys_sessions(start: dt.date | str, end: dt.date | str) -> pd.DatetimeIndex:
    """XNYS sessions from ``start`` to ``end`` (both included) as naive midnight timestamps."""
    sessions = naive_sessions(xnys_calendar(start, end))
    first = pd.Timestamp(start).normalize()
    last = pd.Timestamp(end).normalize()
    return sessions[(sessions >= first) & (sessions <= last)]
