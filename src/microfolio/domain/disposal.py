"""Disposals: the part of a lot that a sale closed, with its realised gain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["Disposal"]


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
        try:
            anniversary = self.acquired.replace(year=self.acquired.year + 1)
        except ValueError:  # 29 February
            anniversary = self.acquired.replace(year=self.acquired.year + 1, day=28)
        return self.sold > anniversary
