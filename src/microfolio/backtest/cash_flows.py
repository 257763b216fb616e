"""Client cash flows in a simulation: deposits (an initial one, then a fixed one every month) and
dated withdrawals.

A schedule (:class:`CashFlowSchedule`) says, for each simulated session given the previous one,
what the client deposits and what they ask to withdraw. A withdrawal is a request: the daily
cycle pays it when the account's cash covers it, selling first if it must.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

from microfolio.domain import ZERO, money
from microfolio.errors import InvariantError

__all__ = ["CashFlowSchedule", "MonthlyDeposits", "Withdrawals"]


class CashFlowSchedule(Protocol):
    """What one account's client pays in and asks for, session by session."""

    def deposit(self, session: date, previous: date | None) -> Decimal:
        """The deposit that arrives on ``session`` (>= 0), given the previous simulated session
        (None on the first)."""
        ...

    def withdrawal(self, session: date, previous: date | None) -> Decimal:
        """The withdrawal requested on ``session`` (>= 0; 0: none)."""
        ...


@dataclass(frozen=True, slots=True)
class MonthlyDeposits:
    """``initial`` on the first session simulated, then ``monthly`` on the first session of each
    later month; never a withdrawal."""

    initial: Decimal
    monthly: Decimal

    def __post_init__(self) -> None:
        if self.initial < 0 or self.monthly < 0:
            raise InvariantError(
                f"deposits must be >= 0, got initial {self.initial}, monthly {self.monthly}"
            )

    def amount(self, session: date, previous: date | None) -> Decimal:
        """The deposit that arrives on ``session``, given the previous simulated session."""
        if previous is None:
            return self.initial
        if (session.year, session.month) != (previous.year, previous.month):
            return self.monthly
        return ZERO

    def deposit(self, session: date, previous: date | None) -> Decimal:
        return self.amount(session, previous)

    def withdrawal(self, session: date, previous: date | None) -> Decimal:
        return ZERO


@dataclass(frozen=True, slots=True)
class Withdrawals:
    """A deposit schedule plus withdrawals on given dates: each is requested on the first
    simulated session on or after its date (dates before the first session: on the first)."""

    deposits: MonthlyDeposits
    dated: Mapping[date, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for day, amount in self.dated.items():
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
                raise InvariantError(f"withdrawal on {day} must be > 0, got {amount!r}")
            if amount != money(amount):
                raise InvariantError(f"withdrawal on {day} must be whole cents, got {amount}")
        object.__setattr__(self, "dated", MappingProxyType(dict(sorted(self.dated.items()))))

    def deposit(self, session: date, previous: date | None) -> Decimal:
        return self.deposits.deposit(session, previous)

    def withdrawal(self, session: date, previous: date | None) -> Decimal:
        return sum(
            (
                amount
                for day, amount in self.dated.items()
                if day <= session and (previous is None or day > previous)
            ),
            ZERO,
        )
