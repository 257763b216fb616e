"""DataIssue: a frozen record whose blocking flag and action agree."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from microfolio.data import DataIssue, GateAction, IssueKind
from microfolio.errors import InvariantError


def test_blocking_defaults_the_action_to_block_and_dates_are_dates() -> None:
    issue = DataIssue(IssueKind.STALE, "GLD", pd.Timestamp("2013-02-01"), "frozen", True)

    assert issue.action is GateAction.BLOCK
    assert issue.date == dt.date(2013, 2, 1)
    assert type(issue.date) is dt.date


def test_to_dict_has_exactly_the_five_public_fields() -> None:
    issue = DataIssue(
        IssueKind.GAP, "AGG", dt.date(2011, 2, 17), "1 session", False, GateAction.REPAIR
    )

    assert issue.to_dict() == {
        "kind": "gap",
        "ticker": "AGG",
        "date": "2011-02-17",
        "detail": "1 session",
        "blocking": False,
    }


def test_a_contradicting_action_or_an_empty_ticker_is_refused() -> None:
    with pytest.raises(InvariantError, match="contradicts action=repair"):
        DataIssue(IssueKind.GAP, "AGG", dt.date(2011, 2, 17), "x", True, GateAction.REPAIR)
    with pytest.raises(InvariantError, match="ticker"):
        DataIssue(IssueKind.GAP, "", dt.date(2011, 2, 17), "x", False)


def test_issues_are_frozen() -> None:
    issue = DataIssue(IssueKind.GAP, "AGG", dt.date(2011, 2, 17), "x", False)

    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.blocking = True  # type: ignore[misc]
