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

    Tax overlay (wash sales, IRS Publication 550): ``basis_adjustment`` is a disallowed loss moved
    into this lot's basis, and ``holding_start`` the start of its holding period when the sold
    shares' holding period carried over (None: the acquisition date). The economic ``cost`` is
    untouched, so the books still balance per account; tax figures use ``tax_cost`` and
    ``tax_acquired``.
    """

    lot_id: str
    account_id: str
    ticker: str
    quantity: Decimal
    cost: Decimal
    acquired: date
    basis_adjustment: Decimal = ZERO
    holding_start: date | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvariantError(
                f"lot {self.lot_id}: quantity must be positive, got {self.quantity}"
            )
        if self.cost < 0:
            raise InvariantError(f"lot {self.lot_id}: cost must be >= 0, got {self.cost}")
        if self.cost != money(self.cost):
            raise InvariantError(f"lot {self.lot_id}: cost must be whole cents, got {self.cost}")
        if self.basis_adjustment < 0 or self.basis_adjustment != money(self.basis_adjustment):
            raise InvariantError(
                f"lot {self.lot_id}: basis adjustment must be >= 0 whole cents, "
                f"got {self.basis_adjustment}"
            )
        if self.holding_start is not None and self.holding_start > self.acquired:
            raise InvariantError(
                f"lot {self.lot_id}: holding period cannot start after the acquisition "
                f"({self.holding_start} > {self.acquired})"
            )

    @property
    def tax_cost(self) -> Decimal:
        """Basis for tax: the cost plus any wash-sale adjustment."""
        return self.cost + self.basis_adjustment

    @property
    def tax_acquired(self) -> date:
        """Start of the holding period for tax (carried over by a wash sale, else acquired)."""
        return self.holding_start if self.holding_start is not None else self.acquired

    @property
    def tax_cost_per_share(self) -> Decimal:
        return self.tax_cost / self.quantity

    @property
    def cost_per_share(self) -> Decimal:
        return self.cost / self.quantity

    def split(self, sold: Decimal) -> tuple[Decimal, Lot | None]:
        """Take ``sold`` shares out of the lot.

        Returns the basis released (cents) and the remaining lot, or None when the lot is used up.
        The released and remaining bases add up to the original basis exactly (and so do the
        released and remaining wash-sale adjustments: see :meth:`adjustment_released`).
        """
        if sold <= 0 or sold > self.quantity:
            raise InvariantError(
                f"lot {self.lot_id}: cannot take {sold} shares out of {self.quantity}"
            )
        if sold == self.quantity:
            return self.cost, None
        released = money(self.cost * sold / self.quantity)
        adjustment = self.adjustment_released(sold)
        remaining = dataclasses.replace(
            self,
            quantity=self.quantity - sold,
            cost=max(ZERO, self.cost - released),
            basis_adjustment=self.basis_adjustment - adjustment,
        )
        return released, remaining

    def adjustment_released(self, sold: Decimal) -> Decimal:
        """The part of the wash-sale basis adjustment that goes with ``sold`` shares."""
        if sold >= self.quantity:
            return self.basis_adjustment
        return min(self.basis_adjustment, money(self.basis_adjustment * sold / self.quantity))
