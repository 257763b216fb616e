"""Withdrawals: a client's request to take cash out of an account, and when it was paid."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain.money import money
from microfolio.errors import InvariantError

__all__ = ["Withdrawal"]


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """``amount`` (positive, whole cents) requested out of an account on ``requested``.

    ``paid`` is the session it was paid on (None: still pending). A withdrawal is paid in full
    or not at all, never before it was requested; :meth:`paid_on` makes the paid copy.
    """

    withdrawal_id: str
    account_id: str
    requested: date
    amount: Decimal
    paid: date | None = None

    def __post_init__(self) -> None:
        if not self.withdrawal_id:
            raise InvariantError("withdrawal_id must be non-empty")
        what = f"withdrawal {self.withdrawal_id}"
        if not self.account_id:
            raise InvariantError(f"{what}: account_id must be non-empty")
        amount = self.amount
        if (
            not isinstance(amount, Decimal)
            or not amount.is_finite()
            or amount <= 0
            or amount != money(amount)
        ):
            raise InvariantError(
                f"{what}: amount must be a positive Decimal of whole cents, got {amount!r}"
            )
        if self.paid is not None and self.paid < self.requested:
            raise InvariantError(
                f"{what}: cannot be paid on {self.paid}, before it was requested on "
                f"{self.requested}"
            )

    @property
    def is_paid(self) -> bool:
        return self.paid is not None

    def paid_on(self, session: date) -> Withdrawal:
        """A copy paid on ``session``; a withdrawal already paid is refused."""
        if self.paid is not None:
            raise InvariantError(f"withdrawal {self.withdrawal_id} was already paid on {self.paid}")
        return dataclasses.replace(self, paid=session)
