"""The validation gate: bars in, validated bars (or a refusal) out.

Everything on its way to :class:`~microfolio.data.market.MarketData` passes here. Blocking issues
stop the data with one :class:`~microfolio.errors.DataBlockedError`; otherwise repairs and ticker
drops are applied and the cleaned bars travel with every issue and their data version.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from microfolio.data.frames import canonical_long
from microfolio.data.issues import DataIssue, GateAction
from microfolio.data.policy import GatePolicy
from microfolio.data.repair import clean_bars
from microfolio.data.validate import find_issues, sessions_for
from microfolio.data.version import data_version
from microfolio.errors import DataBlockedError

__all__ = ["GatedBars", "apply_gate", "blocked_message"]

_SHOWN = 3


@dataclass(frozen=True, slots=True, eq=False)
class GatedBars:
    """Bars that passed the gate (canonical long, repaired), every issue found, and the version.

    ``data_version`` is that of the cleaned bars, the data actually used; ``source_version`` that
    of the bars as given (what ``microfolio data validate`` prints). ``dropped`` lists the
    tickers removed under drop_ticker. Treat ``bars`` as read-only.
    """

    bars: pd.DataFrame
    issues: tuple[DataIssue, ...]
    data_version: str
    dropped: tuple[str, ...] = ()
    source_version: str = ""

    @property
    def repaired(self) -> tuple[DataIssue, ...]:
        return tuple(i for i in self.issues if i.action is GateAction.REPAIR)

    @property
    def warnings(self) -> tuple[DataIssue, ...]:
        return tuple(i for i in self.issues if i.action is GateAction.WARN)


def blocked_message(issues: tuple[DataIssue, ...]) -> str:
    """One line: how many blocking issues, and the first few with kind, ticker and date."""
    blocking = [i for i in issues if i.blocking]
    shown = ", ".join(f"{i.kind.value} {i.ticker} {i.date}" for i in blocking[:_SHOWN])
    more = f" and {len(blocking) - _SHOWN} more" if len(blocking) > _SHOWN else ""
    noun = "issue" if len(blocking) == 1 else "issues"
    return f"data blocked by {len(blocking)} {noun}: {shown}{more}"


def apply_gate(
    bars: pd.DataFrame,
    policy: GatePolicy | None = None,
    *,
    sessions: pd.DatetimeIndex | None = None,
) -> GatedBars:
    """Validate ``bars`` under ``policy`` (default :class:`GatePolicy`); repair, drop or refuse.

    Raises ``DataBlockedError`` when any issue blocks, and ``DataFormatError`` when ``bars`` is
    not prices at all.
    """
    policy = policy or GatePolicy()
    frame = canonical_long(bars)
    if frame.empty:
        version = data_version(frame)
        return GatedBars(frame, (), version, source_version=version)
    if sessions is None:
        sessions = sessions_for(frame)
    issues = find_issues(frame, policy, sessions=sessions)
    if any(i.blocking for i in issues):
        raise DataBlockedError(blocked_message(issues))
    cleaned, dropped = clean_bars(frame, issues, sessions)
    return GatedBars(cleaned, issues, data_version(cleaned), dropped, data_version(frame))
