"""Wash-sale records: what the household's wash-sale window remembers, and what it found.

A household's *window* holds the purchases and the loss sales of the last 30 days (and a day),
with how many of their shares are still unmatched: each replacement share washes at most one
loss share (Treas. Reg. 1.1091-1(e)), and each loss share is washed at most once. A
:class:`WashSale` records one match: a loss sale, a replacement lot, how many shares, how much
loss was disallowed, and where it went (into the replacement's basis, or lost for good when the
replacement was bought in an IRA: Rev. Rul. 2008-5).

These are plain values; the rules that make and use them are in :mod:`microfolio.tax.wash_sale`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain import ZERO
from microfolio.errors import InvariantError

__all__ = ["LossSale", "Purchase", "WashSale"]


@dataclass(frozen=True, slots=True)
class Purchase:
    """Shares bought in one account of the household (one lot, as first created)."""

    lot_id: str
    account_id: str
    ticker: str
    key: str  # the security's identity key (substantially identical securities share one)
    acquired: date
    quantity: Decimal
    unmatched: Decimal  # shares not yet used as replacement shares
    tax_advantaged: bool  # bought in an IRA (a wash into it loses the loss for good)

    def __post_init__(self) -> None:
        if self.quantity <= 0 or not ZERO <= self.unmatched <= self.quantity:
            raise InvariantError(
                f"purchase {self.lot_id}: need 0 <= unmatched ({self.unmatched}) <= "
                f"quantity ({self.quantity}) and quantity > 0"
            )


@dataclass(frozen=True, slots=True)
class LossSale:
    """Shares of one lot sold at a tax loss in a taxable account (one disposal)."""

    disposal_id: str
    account_id: str
    lot_id: str
    ticker: str
    key: str
    sold: date
    holding_start: date  # start of the sold shares' holding period for tax
    quantity: Decimal
    loss: Decimal  # the tax loss, a positive amount
    unmatched: Decimal  # loss shares not yet washed

    def __post_init__(self) -> None:
        if self.quantity <= 0 or not ZERO <= self.unmatched <= self.quantity:
            raise InvariantError(
                f"loss sale {self.disposal_id}: need 0 <= unmatched ({self.unmatched}) <= "
                f"quantity ({self.quantity}) and quantity > 0"
            )
        if self.loss <= 0:
            raise InvariantError(f"loss sale {self.disposal_id}: loss must be > 0, got {self.loss}")


@dataclass(frozen=True, slots=True)
class WashSale:
    """One match of loss shares with replacement shares, and the loss it disallowed.

    ``basis_added`` is what went into the replacement lot's tax basis (zero when ``permanent``:
    a replacement bought in an IRA); ``holding_days`` the holding period of the sold shares that
    carried over to the replacement (zero when permanent). ``replacement_lot_id`` names the lot
    that took the adjustment (a split-off part of the purchased lot when only some of its shares
    were matched).
    """

    wash_id: str
    household_id: str
    loss_disposal_id: str
    loss_account_id: str
    ticker_sold: str
    sold: date
    replacement_lot_id: str
    replacement_account_id: str
    ticker_bought: str
    bought: date
    shares: Decimal
    disallowed: Decimal
    permanent: bool
    basis_added: Decimal
    holding_days: int

    def __post_init__(self) -> None:
        if self.shares <= 0 or self.disallowed < 0:
            raise InvariantError(
                f"wash sale {self.wash_id}: shares must be > 0 and disallowed >= 0, got "
                f"{self.shares} and {self.disallowed}"
            )
        if self.permanent and (self.basis_added != 0 or self.holding_days != 0):
            raise InvariantError(
                f"wash sale {self.wash_id}: a permanent disallowance adds no basis or holding days"
            )
        if not self.permanent and self.basis_added != self.disallowed:
            raise InvariantError(
                f"wash sale {self.wash_id}: the disallowed {self.disallowed} must all go into "
                f"the replacement's basis, got {self.basis_added}"
            )
