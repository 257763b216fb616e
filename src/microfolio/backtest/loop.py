"""The backtest: the daily cycle run over past sessions with a simulated clock and broker.

Nothing here decides anything: each session the simulated market opens (the broker fills what
was ordered the evening before), the clients' deposits arrive and their withdrawal requests come
in, and the same daily cycle that a live run uses (``services.HouseholdCycle``) does the rest for
each household. An account's external flow of a session is its deposit less the withdrawal paid
out (not requested) that session, which is what the time-weighted returns net out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

import pandas as pd

from microfolio.backtest.cash_flows import CashFlowSchedule
from microfolio.domain import Fill
from microfolio.errors import MicrofolioError
from microfolio.execution import SimulatedBroker
from microfolio.risk.performance import PerformanceSummary, summarise

__all__ = [
    "AccountRun",
    "Backtest",
    "BacktestResult",
    "Cycle",
    "HouseholdRecord",
    "SessionRecord",
]


class SessionRecord(Protocol):
    """What the loop records of one account's session (``services.AccountResult`` is one)."""

    @property
    def session(self) -> date: ...
    @property
    def cash(self) -> Decimal: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def deposit(self) -> Decimal: ...
    @property
    def withdrawal(self) -> Decimal: ...
    @property
    def traded(self) -> Decimal: ...
    @property
    def commission(self) -> Decimal: ...
    @property
    def spread_cost(self) -> Decimal: ...
    @property
    def fills(self) -> tuple[Fill, ...]: ...
    @property
    def weights(self) -> Mapping[str, float]: ...


class HouseholdRecord(Protocol):
    """What the loop records of one household's session (``services.HouseholdResult`` is one)."""

    @property
    def accounts(self) -> Mapping[str, SessionRecord]: ...


class Cycle(Protocol):
    """The daily cycle as the loop drives it (``services.HouseholdCycle`` is one)."""

    def run(
        self,
        household_id: str,
        session: date,
        deposits: Mapping[str, Decimal],
        withdrawals: Mapping[str, Decimal],
    ) -> HouseholdRecord: ...


@dataclass(frozen=True, slots=True)
class AccountRun:
    """The daily record of one account through a backtest."""

    account_id: str
    values: pd.Series
    flows: pd.Series
    traded: pd.Series
    costs: pd.Series
    weights: pd.DataFrame
    trades: int

    def summary(self) -> PerformanceSummary:
        return summarise(
            self.values, self.flows, traded=self.traded, costs=self.costs, trades=self.trades
        )


@dataclass(frozen=True, slots=True)
class BacktestResult:
    start: date
    end: date
    sessions: int
    accounts: Mapping[str, AccountRun]


class _Recorder:
    def __init__(self) -> None:
        self.rows: list[SessionRecord] = []

    def add(self, result: SessionRecord) -> None:
        self.rows.append(result)

    def build(self, account_id: str) -> AccountRun:
        index = pd.DatetimeIndex([pd.Timestamp(r.session) for r in self.rows])

        def series(values: list[Decimal]) -> pd.Series:
            return pd.Series([float(v) for v in values], index=index, dtype=float)

        weights = pd.DataFrame([dict(r.weights) for r in self.rows], index=index).fillna(0.0)
        weights["cash"] = [float(r.cash / r.total) if r.total > 0 else 1.0 for r in self.rows]
        return AccountRun(
            account_id=account_id,
            values=series([r.total for r in self.rows]),
            flows=series([r.deposit - r.withdrawal for r in self.rows]),
            traded=series([r.traded for r in self.rows]),
            costs=series([r.commission + r.spread_cost for r in self.rows]),
            weights=weights,
            trades=sum(len(r.fills) for r in self.rows),
        )


class Backtest:
    def __init__(self, cycle: Cycle, broker: SimulatedBroker, sessions: pd.DatetimeIndex) -> None:
        self.cycle = cycle
        self.broker = broker
        self.all_sessions = sessions

    def run(
        self,
        households: Mapping[str, Mapping[str, CashFlowSchedule]],
        start: date,
        end: date,
        on_session: Callable[[date], None] | None = None,
    ) -> BacktestResult:
        """Run every household's accounts (with their cash-flow schedules: ``MonthlyDeposits``,
        or ``Withdrawals`` for deposits and dated withdrawals) from start to end."""
        sessions = self._sessions(start, end)
        recorders = {a: _Recorder() for accounts in households.values() for a in accounts}
        previous: date | None = None
        for session in sessions:
            self.broker.advance(session)
            for household_id, schedules in households.items():
                deposits = {a: s.deposit(session, previous) for a, s in schedules.items()}
                withdrawals = {
                    a: amount
                    for a, s in schedules.items()
                    if (amount := s.withdrawal(session, previous)) > 0
                }
                result = self.cycle.run(household_id, session, deposits, withdrawals)
                for account_id in schedules:
                    recorders[account_id].add(result.accounts[account_id])
            previous = session
            if on_session is not None:
                on_session(session)
        return BacktestResult(
            start=sessions[0],
            end=sessions[-1],
            sessions=len(sessions),
            accounts={a: r.build(a) for a, r in recorders.items()},
        )

    def _sessions(self, start: date, end: date) -> Sequence[date]:
        all_sessions = self.all_sessions
        chosen = all_sessions[
            (all_sessions >= pd.Timestamp(start)) & (all_sessions <= pd.Timestamp(end))
        ]
        if len(chosen) == 0:
            raise MicrofolioError(
                f"no sessions between {start} and {end} in the market data "
                f"({all_sessions[0].date()} to {all_sessions[-1].date()})"
            )
        return [ts.date() for ts in chosen]
