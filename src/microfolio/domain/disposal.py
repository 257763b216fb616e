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
    """Shares of one lot closed by one fill.

    ``cost`` is the economic basis released (what the books carry); ``basis_adjustment`` the
    wash-sale adjustment that lot carried for these shares, and ``tax_acquired`` the start of the
    holding period for tax when a wash sale carried one over (None: ``acquired``). Tax reports use
    :attr:`tax_gain` and :attr:`long_term`.
    """

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
    basis_adjustment: Decimal = Decimal(0)
    tax_acquired: date | None = None

    @property
    def gain(self) -> Decimal:
        """The economic gain: proceeds less the cost the books carry."""
        return self.proceeds - self.cost

    @property
    def tax_cost(self) -> Decimal:
        return self.cost + self.basis_adjustment

    @property
    def tax_gain(self) -> Decimal:
        """The gain for tax: proceeds less the cost and any wash-sale basis adjustment."""
        return self.proceeds - self.tax_cost

    @property
    def holding_start(self) -> date:
        return self.tax_acquired if self.tax_acquired is not None else self.acquired

    @property
    def long_term(self) -> bool:
        """Held more than one year for tax (IRS Publication 550), counting any holding period
        a wash sale carried over."""
        return held_long_term(self.holding_start, self.sold)
