"""Checks against the exchange calendar: bars on closed days, sessions missing between bars."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microfolio.data.calendar import EXCHANGE
from microfolio.data.detect.base import Bars, BoolArray, Finding, IntArray
from microfolio.data.issues import IssueKind

__all__ = ["GapRuns", "find_gaps", "find_off_calendar", "gap_runs", "on_calendar"]


@dataclass(frozen=True, slots=True)
class GapRuns:
    """Runs of missing sessions: for run i, the row of the bar before it (``before[i]``), the
    index in ``sessions`` of its first missing session and the number of sessions missing."""

    before: IntArray
    first: IntArray
    count: IntArray


def on_calendar(bars: Bars, sessions: pd.DatetimeIndex) -> tuple[BoolArray, IntArray]:
    """Which rows fall on a session, and each row's position in ``sessions``."""
    known = sessions.to_numpy(dtype="datetime64[ns]").view(np.int64)
    position = np.searchsorted(known, bars.days).astype(np.intp)
    inside = position < len(known)
    hit = np.zeros(len(bars), dtype=bool)
    hit[inside] = known[position[inside]] == bars.days[inside]
    return hit, position


def gap_runs(bars: Bars, sessions: pd.DatetimeIndex) -> GapRuns:
    """Sessions missing between consecutive bars of each ticker (bars off the calendar ignored)."""
    hit, position = on_calendar(bars, sessions)
    rows = np.flatnonzero(bars.last_of_date & hit)
    pos, codes = position[rows], bars.codes[rows]
    jump = np.diff(pos)
    gaps = np.flatnonzero((codes[1:] == codes[:-1]) & (jump > 1))
    return GapRuns(before=rows[gaps], first=pos[gaps] + 1, count=jump[gaps] - 1)


def find_gaps(bars: Bars, sessions: pd.DatetimeIndex) -> list[Finding]:
    """One finding per run of missing sessions, dated at its first missing session."""
    runs = gap_runs(bars, sessions)
    findings = []
    for before, first, count in zip(runs.before, runs.first, runs.count, strict=True):
        start, end = sessions[first].date(), sessions[first + count - 1].date()
        span = f"{start}" if count == 1 else f"{start} to {end}"
        noun = "session" if count == 1 else "sessions"
        findings.append(
            Finding(
                IssueKind.GAP,
                bars.ticker(before),
                start,
                f"{count} {EXCHANGE} {noun} missing ({span})",
                size=int(count),
            )
        )
    return findings


def find_off_calendar(bars: Bars, sessions: pd.DatetimeIndex) -> list[Finding]:
    """A bar dated on a day the exchange was closed (a weekend or a holiday)."""
    hit, _ = on_calendar(bars, sessions)
    return [
        Finding(
            IssueKind.OFF_CALENDAR,
            bars.ticker(r),
            bars.date(r),
            f"{bars.date(r):%A} {bars.date(r)} is not an {EXCHANGE} session",
        )
        for r in np.flatnonzero(~hit)
    ]
