"""Client cash flows in a simulation: an initial deposit, then a fixed deposit every month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain import ZERO
from microfolio.errors import InvariantError

__all__ = ["MonthlyDeposits"]


@dataclass(frozen=True, slots=True)
class MonthlyDeposits:
    """``initial`` on the first session simulated, then ``monthly`` on the first session of each
    later month."""

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
