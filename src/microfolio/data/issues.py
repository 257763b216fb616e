"""What the validation gate finds: one :class:`DataIssue` per problem, ticker and date.

An issue records the fact (its kind, where, a human-readable detail) and what the gate policy
did about it (its :class:`GateAction`); ``blocking`` is true exactly when that action is block,
so the issues can travel with the data version and be shown or stored as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from microfolio.errors import InvariantError

__all__ = ["DataIssue", "GateAction", "IssueKind"]


class IssueKind(StrEnum):
    """The kinds of problem the validation gate looks for."""

    #: a price (open, high, low or close) at or below zero
    NON_POSITIVE = "non_positive"
    #: a price that is absent (NaN)
    MISSING = "missing"
    #: two or more rows for one ticker and date
    DUPLICATE = "duplicate"
    #: low above open/close, high below open/close, or low above high
    OHLC_INCONSISTENT = "ohlc_inconsistent"
    #: the close unchanged for a run of sessions
    STALE = "stale"
    #: exchange sessions missing between a ticker's first and last bar
    GAP = "gap"
    #: a bar dated on a day the exchange was closed
    OFF_CALENDAR = "off_calendar"
    #: an extreme one-day close-to-close move
    OUTLIER = "outlier"
    #: a move by a split ratio (2, 3, 4, 5, 10 or an inverse) that holds
    SPLIT_LIKE = "split_like"


class GateAction(StrEnum):
    """What the gate does with an issue."""

    #: refuse the data: :func:`~microfolio.data.apply_gate` raises ``DataBlockedError``
    BLOCK = "block"
    #: fix the bar (how depends on the kind) and keep the issue as a record
    REPAIR = "repair"
    #: remove every bar of the ticker
    DROP_TICKER = "drop_ticker"
    #: keep the data as it is and report the issue
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class DataIssue:
    """One finding of the validation gate.

    ``date`` is the session the finding is about (for runs and gaps, their first session).
    ``action`` defaults to block when ``blocking`` is true and to warn otherwise.
    """

    kind: IssueKind
    ticker: str
    date: dt.date
    detail: str
    blocking: bool
    action: GateAction = GateAction.WARN

    def __post_init__(self) -> None:
        if not self.ticker:
            raise InvariantError("ticker of a DataIssue must be non-empty")
        if isinstance(self.date, dt.datetime):
            object.__setattr__(self, "date", self.date.date())
        if self.blocking and self.action is GateAction.WARN:
            object.__setattr__(self, "action", GateAction.BLOCK)
        if self.blocking != (self.action is GateAction.BLOCK):
            raise InvariantError(
                f"DataIssue for {self.ticker} {self.date}: blocking={self.blocking} "
                f"contradicts action={self.action.value}"
            )

    def to_dict(self) -> dict[str, str | bool]:
        """The issue as plain JSON values: kind, ticker, date (YYYY-MM-DD), detail, blocking."""
        return {
            "kind": self.kind.value,
            "ticker": self.ticker,
            "date": self.date.isoformat(),
            "detail": self.detail,
            "blocking": self.blocking,
        }
