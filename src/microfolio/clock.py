"""The only place that reads the wall clock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock"]


class Clock(Protocol):
    def today(self) -> dt.date: ...


class SystemClock:
    """Today's date in New York, where the exchange keeps its sessions."""

    def today(self) -> dt.date:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("America/New_York")).date()


class FixedClock:
    """A clock that says what it is told: for backtests and tests."""

    def __init__(self, today: dt.date) -> None:
        self._today = today

    def today(self) -> dt.date:
        return self._today

    def set(self, today: dt.date) -> None:
        self._today = today
