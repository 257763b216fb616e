"""Disposals: the part of a lot that a sale closed, with its realised gain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["Disposal", "held_long_term"]


def held_long_term(acquired: date, sold: date) -> bool:
    """Held more than one year (IRS Publication 550): sold after the first anniversary of the
    acquisition (for a 29 February acquisition, the anniversary is 28 February)."""
    try:
        anniversary = acquired.replace(year=acquired.year + 1)
    except ValueError:  # 29 February
        anniversary = acquired.replace(year=acquired.year + 1, day=28)
    return sold > anniversary


@dataclass(frozen=True, slots=True)
class Disposal:
    disposal_id: str
    account_id: str
    lot_id: str
    fill_id: str
    ticker: str
    quantity: Decimal
    acquired: date
    sold: date
    proceeds: Decimal
    cost: Decimal

    @property
    def gain(self) -> Decimal:
        return self.proceeds - self.cost

    @property
    def long_term(self) -> bool:
        """Held more than one year (IRS Publication 550)."""
        return held_long_term(self.acquired, self.sold)
