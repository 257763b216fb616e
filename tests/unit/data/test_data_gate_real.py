"""The gate on the real files: the bundled ETFs pass, injected faults block, bad prints are caught."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from microfolio.data import GateAction, IssueKind, apply_gate, find_issues, read_bars
from microfolio.errors import DataBlockedError


def test_bundled_etfs_have_no_blocking_finding_and_report_their_quirks(bundled_bars) -> None:
    issues = find_issues(bundled_bars)

    counts = Counter((i.kind, i.action) for i in issues)
    assert not any(i.blocking for i in issues)
    assert counts == {
        (IssueKind.GAP, GateAction.REPAIR): 68,
        (IssueKind.OUTLIER, GateAction.WARN): 2,
        (IssueKind.STALE, GateAction.WARN): 1,
    }
    moves = {(i.ticker, i.date) for i in issues if i.kind is IssueKind.OUTLIER}
    assert moves == {("JNK", dt.date(2008, 10, 10)), ("PCY", dt.date(2008, 9, 17))}


def test_bundled_etfs_pass_the_gate_with_gaps_filled(bundled_bars) -> None:
    gated = apply_gate(bundled_bars)

    filled = sum(int(i.detail.split()[0]) for i in gated.repaired)
    assert len(gated.bars) == len(bundled_bars) + filled
    assert gated.dropped == ()


def test_each_injected_fault_is_found_with_its_ticker_and_date_and_blocks(
    faulty_bars, faults
) -> None:
    issues = find_issues(faulty_bars)

    blocking = {(i.kind, i.ticker, i.date.isoformat()) for i in issues if i.blocking}
    assert blocking == {(f.kind, f.ticker, f.date) for f in faults}


def test_the_injected_faults_stop_the_gate(faulty_bars) -> None:
    with pytest.raises(DataBlockedError, match=r"^data blocked by 5 issues: "):
        apply_gate(faulty_bars)


@pytest.mark.slow
def test_stock_file_bad_prints_are_caught(stocks_path: Path) -> None:
    bars = read_bars(stocks_path)

    issues = find_issues(bars)

    blocking = Counter(i.kind for i in issues if i.blocking)
    found = {(i.kind, i.ticker, i.date.isoformat()) for i in issues if i.blocking}
    assert {
        (IssueKind.OUTLIER, "AVB", "2010-09-16"),  # close 0.8997 between 90.8 and 89.3
        (IssueKind.OUTLIER, "BXP", "2007-05-02"),
        (IssueKind.OUTLIER, "SLG", "2014-03-04"),
        (IssueKind.OUTLIER, "ASML", "2012-11-29"),  # unadjusted share consolidation
        (IssueKind.OHLC_INCONSISTENT, "BEN", "2011-02-14"),  # high 3.7481, low 37.061
        (IssueKind.NON_POSITIVE, "WPM", "2006-02-22"),
    } <= found
    assert blocking == {
        IssueKind.NON_POSITIVE: 1,
        IssueKind.OHLC_INCONSISTENT: 33,
        IssueKind.OUTLIER: 21,
        IssueKind.SPLIT_LIKE: 4,
    }
    assert sum(1 for i in issues if i.kind is IssueKind.GAP) == 266
