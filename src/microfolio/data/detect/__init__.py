"""Detectors of the validation gate: each finds one family of issues in canonical long bars.

Detectors only state facts (:class:`Finding`); :mod:`microfolio.data.validate` turns them into
:class:`~microfolio.data.issues.DataIssue` under a policy.
"""

from microfolio.data.detect.base import Bars, Finding
from microfolio.data.detect.calendar import find_gaps, find_off_calendar, gap_runs
from microfolio.data.detect.moves import find_moves
from microfolio.data.detect.stale import find_stale
from microfolio.data.detect.values import (
    find_duplicates,
    find_missing,
    find_non_positive,
    find_ohlc_inconsistent,
)

__all__ = [
    "Bars",
    "Finding",
    "find_duplicates",
    "find_gaps",
    "find_missing",
    "find_moves",
    "find_non_positive",
    "find_off_calendar",
    "find_ohlc_inconsistent",
    "find_stale",
    "gap_runs",
]
