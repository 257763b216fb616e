"""Input checks shared by the fusion modules; each refuses with one line naming the argument."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from microfolio.errors import InvariantError

__all__ = ["as_sessions", "as_timestamp"]


def as_timestamp(name: str, value: object) -> pd.Timestamp:
    """``value`` as a date (midnight timestamp, no time zone), refused with ``name`` if it is
    not one."""
    if not isinstance(value, dt.date | str | np.datetime64):
        raise InvariantError(f"{name} must be a date, got {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InvariantError(f"{name} must be a date, got {value!r}") from None
    if pd.isna(stamp):
        raise InvariantError(f"{name} must be a date, got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if stamp != stamp.normalize():
        raise InvariantError(f"{name} must be a date without a time of day, got {value!r}")
    return stamp


def as_sessions(sessions: object) -> pd.DatetimeIndex:
    """The session calendar, refused unless a non-empty, strictly increasing DatetimeIndex."""
    if not isinstance(sessions, pd.DatetimeIndex) or len(sessions) == 0:
        raise InvariantError(f"sessions must be a non-empty DatetimeIndex, got {sessions!r}")
    days = sessions.tz_localize(None) if sessions.tz is not None else sessions
    if not (days.is_monotonic_increasing and days.is_unique):
        raise InvariantError("sessions must be strictly increasing")
    return pd.DatetimeIndex(days)
