"""Stale prices: the close unchanged for a run of sessions.

A feed that stops updating repeats the last close; a thinly traded or very cheap security can
also print the same close a few times. Runs are counted over a ticker's bars with a valid close
(one per date), so a repaired gap does not lengthen them and a missing close ends them.
"""

from __future__ import annotations

import numpy as np

from microfolio.data.detect.base import Bars, Finding, fmt_price
from microfolio.data.issues import IssueKind

__all__ = ["find_stale"]


def find_stale(bars: Bars, min_sessions: int, long_sessions: int) -> list[Finding]:
    """Runs of ``min_sessions``+ equal closes; actionable from ``long_sessions`` on.

    Each finding is dated at the first session of its run.
    """
    rows = bars.series_rows()
    if not len(rows):
        return []
    close, codes = bars.close[rows], bars.codes[rows]
    starts = np.flatnonzero(np.append(True, (codes[1:] != codes[:-1]) | (close[1:] != close[:-1])))
    lengths = np.diff(np.append(starts, len(rows)))
    runs = lengths >= min_sessions
    findings = []
    for start, length in zip(starts[runs], lengths[runs], strict=True):
        first, last = rows[start], rows[start + length - 1]
        findings.append(
            Finding(
                IssueKind.STALE,
                bars.ticker(first),
                bars.date(first),
                f"close unchanged at {fmt_price(bars.close[first])} for {length} sessions "
                f"({bars.date(first)} to {bars.date(last)})",
                actionable=bool(length >= long_sessions),
                size=int(length),
            )
        )
    return findings
