"""Fills: what the broker did with an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain.money import ZERO, money
from microfolio.domain.order import Side
from microfolio.errors import InvariantError

__all__ = ["Fill"]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of (part of) an order.

    ``price`` is what was paid or received per share, spread included; ``reference_price`` is the
    mid (the session's open for the simulated broker), so the spread paid is observable.
    """

    fill_id: str
    order_id: str
    account_id: str
    ticker: str
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal
    session: date
    reference_price: Decimal

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvariantError(
                f"fill {self.fill_id}: quantity must be positive, got {self.quantity}"
            )
        if self.price <= 0 or self.reference_price <= 0:
            raise InvariantError(f"fill {self.fill_id}: prices must be positive, got {self.price}")
        if self.commission < 0:
            raise InvariantError(f"fill {self.fill_id}: commission must be >= 0")

    @property
    def gross(self) -> Decimal:
        """Quantity times price, to the cent."""
        return money(self.quantity * self.price)

    @property
    def cash_delta(self) -> Decimal:
        """Signed change in cash: a buy pays gross plus commission, a sell receives gross less it."""
        if self.side is Side.BUY:
            return -(self.gross + self.commission)
        return self.gross - self.commission

    @property
    def spread_cost(self) -> Decimal:
        """What crossing the spread cost against the reference price, to the cent (never < 0)."""
        return max(ZERO, money(abs(self.price - self.reference_price) * self.quantity))
