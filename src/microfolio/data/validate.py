"""Run every detector over bars and judge the findings under a policy.

:func:`find_issues` never raises on bad data: it returns every issue with the action the policy
takes on it, so a report can list them all. :func:`~microfolio.data.gate.apply_gate` is the
enforcing side.
"""

from __future__ import annotations

import pandas as pd

from microfolio.data.calendar import xnys_sessions
from microfolio.data.detect import (
    Bars,
    Finding,
    find_duplicates,
    find_gaps,
    find_missing,
    find_moves,
    find_non_positive,
    find_off_calendar,
    find_ohlc_inconsistent,
    find_stale,
)
from microfolio.data.issues import DataIssue, GateAction, IssueKind
from microfolio.data.policy import GatePolicy
from microfolio.data.repair import REPAIR_NOTES

__all__ = ["action_for", "find_issues", "sessions_for"]

_KIND_ORDER = {kind: i for i, kind in enumerate(IssueKind)}


def sessions_for(bars: pd.DataFrame) -> pd.DatetimeIndex:
    """The XNYS sessions spanning the bars' first to last date (one calendar per gate)."""
    dates = bars["date"]
    return xnys_sessions(dates.min(), dates.max())


def action_for(finding: Finding, policy: GatePolicy) -> GateAction:
    """The policy's action on a finding: its kind's action if actionable, else warn.

    A gap longer than ``gap_fill_max_sessions`` cannot be repaired: under repair it is a warning.
    """
    if not finding.actionable:
        return GateAction.WARN
    action = policy.action(finding.kind)
    too_long = finding.kind is IssueKind.GAP and finding.size > policy.gap_fill_max_sessions
    if action is GateAction.REPAIR and too_long:
        return GateAction.WARN
    return action


def _issue(finding: Finding, policy: GatePolicy) -> DataIssue:
    action = action_for(finding, policy)
    detail = finding.detail
    if action is GateAction.REPAIR:
        detail += f" [repaired: {REPAIR_NOTES[finding.kind]}]"
    elif action is GateAction.DROP_TICKER:
        detail += " [ticker dropped]"
    elif finding.kind is IssueKind.GAP and policy.gap is GateAction.REPAIR and finding.actionable:
        detail += f" [longer than {policy.gap_fill_max_sessions} sessions: not filled]"
    return DataIssue(
        kind=finding.kind,
        ticker=finding.ticker,
        date=finding.date,
        detail=detail,
        blocking=action is GateAction.BLOCK,
        action=action,
    )


def find_issues(
    bars: pd.DataFrame,
    policy: GatePolicy | None = None,
    *,
    sessions: pd.DatetimeIndex | None = None,
) -> tuple[DataIssue, ...]:
    """Every issue in ``bars`` (long or wide, see ``canonical_long``), sorted by ticker, date, kind.

    ``sessions`` (the exchange sessions spanning the bars) is built from the XNYS calendar when
    not given.
    """
    policy = policy or GatePolicy()
    prepared = Bars(bars)
    if not len(prepared):
        return ()
    if sessions is None:
        sessions = sessions_for(prepared.frame)
    findings = [
        *find_missing(prepared),
        *find_non_positive(prepared),
        *find_duplicates(prepared),
        *find_ohlc_inconsistent(prepared, policy.ohlc_tolerance),
        *find_stale(prepared, policy.stale_min_sessions, policy.stale_long_sessions),
        *find_gaps(prepared, sessions),
        *find_off_calendar(prepared, sessions),
        *find_moves(prepared, policy),
    ]
    issues = [_issue(f, policy) for f in findings]
    issues.sort(key=lambda i: (i.ticker, i.date, _KIND_ORDER[i.kind]))
    return tuple(issues)
