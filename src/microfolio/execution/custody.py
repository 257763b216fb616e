"""What a custodian holds for one account: cash and shares, neither ever negative.

This is the broker's own record (the ledger keeps the client's). It is mutable on purpose and
private to the brokers that own it: every change goes through a method that refuses to make a
balance negative, so a bug shows up as an error at the change, not as a wrong report later.
"""

from __future__ import annotations

from decimal import Decimal

from microfolio.domain.fill import Fill
from microfolio.domain.money import ZERO, money
from microfolio.errors import InsufficientHoldingsError, InvariantError

__all__ = ["Custody"]


def _check_amount(what: str, account_id: str, amount: Decimal) -> None:
    if amount <= 0 or amount != money(amount):
        raise InvariantError(
            f"{what} for account {account_id}: amount must be positive whole cents, got {amount}"
        )


class Custody:
    """Cash and share positions of one account at the custodian."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._cash = ZERO
        self._positions: dict[str, Decimal] = {}

    @property
    def cash(self) -> Decimal:
        return self._cash

    def position(self, ticker: str) -> Decimal:
        return self._positions.get(ticker, ZERO)

    def positions(self) -> dict[str, Decimal]:
        """Non-zero positions by ticker (a copy)."""
        return dict(self._positions)

    def deposit(self, amount: Decimal) -> None:
        _check_amount("deposit", self.account_id, amount)
        self._cash += amount

    def withdraw(self, amount: Decimal) -> None:
        _check_amount("withdrawal", self.account_id, amount)
        if amount > self._cash:
            raise InsufficientHoldingsError(
                f"withdrawal of {amount} from account {self.account_id} exceeds its cash "
                f"{self._cash}"
            )
        self._cash -= amount

    def settle(self, fill: Fill) -> None:
        """Apply a fill's cash and shares; refuse (changing nothing) if either would go negative."""
        if fill.account_id != self.account_id:
            raise InvariantError(
                f"fill {fill.fill_id} is for account {fill.account_id}, not {self.account_id}"
            )
        cash = self._cash + fill.cash_delta
        shares = self.position(fill.ticker) + fill.side.sign * fill.quantity
        if cash < 0 or shares < 0:
            raise InvariantError(
                f"fill {fill.fill_id} would leave account {self.account_id} with cash {cash} "
                f"and {shares} shares of {fill.ticker}"
            )
        self._cash = cash
        if shares == 0:
            self._positions.pop(fill.ticker, None)
        else:
            self._positions[fill.ticker] = shares
