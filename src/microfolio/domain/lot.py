"""Tax lots."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError

__all__ = ["Lot"]


@dataclass(frozen=True, slots=True)
class Lot:
    """Shares of one ticker bought together: quantity, total cost basis (cents), acquisition date.

    The basis is kept as a total, not per share, so that splitting a lot conserves it to the cent.
    """

    lot_id: str
    account_id: str
    ticker: str
    quantity: Decimal
    cost: Decimal
    acquired: date

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvariantError(
                f"lot {self.lot_id}: quantity must be positive, got {self.quantity}"
            )
        if self.cost < 0:
            raise InvariantError(f"lot {self.lot_id}: cost must be >= 0, got {self.cost}")
        if self.cost != money(self.cost):
            raise InvariantError(f"lot {self.lot_id}: cost must be whole cents, got {self.cost}")

    @property
    def cost_per_share(self) -> Decimal:
        return self.cost / self.quantity

    def split(self, sold: Decimal) -> tuple[Decimal, Lot | None]:
        """Take ``sold`` shares out of the lot.

        Returns the basis released (cents) and the remaining lot, or None when the lot is used up.
        The released and remaining bases add up to the original basis exactly.
        """
        if sold <= 0 or sold > self.quantity:
            raise InvariantError(
                f"lot {self.lot_id}: cannot take {sold} shares out of {self.quantity}"
            )
        if sold == self.quantity:
            return self.cost, None
        released = money(self.cost * sold / self.quantity)
        remaining = dataclasses.replace(
            self, quantity=self.quantity - sold, cost=max(ZERO, self.cost - released)
        )
        return released, remaining
