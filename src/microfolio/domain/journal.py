"""Double-entry journal entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError

__all__ = ["JournalEntry", "LedgerAccount", "Posting"]


class LedgerAccount:
    """Names of the ledger accounts kept for every client account.

    Debits are positive and credits negative. Assets (cash, securities at cost) carry debit
    balances; contributions and realised gains carry credit balances; commissions and realised
    losses are debits.
    """

    CASH = "asset:cash"
    CONTRIBUTIONS = "equity:contributions"
    REALIZED_GAIN = "income:realized_gain"
    COMMISSION = "expense:commission"

    @staticmethod
    def securities(ticker: str) -> str:
        return f"asset:securities:{ticker}"


@dataclass(frozen=True, slots=True)
class Posting:
    ledger_account: str
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount != money(self.amount):
            raise InvariantError(
                f"posting to {self.ledger_account}: amount must be whole cents, got {self.amount}"
            )


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings: debits equal credits to the cent."""

    entry_id: str
    account_id: str
    session: date
    memo: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise InvariantError(f"journal entry {self.entry_id}: needs at least two postings")
        total = sum((p.amount for p in self.postings), ZERO)
        if total != ZERO:
            raise InvariantError(f"journal entry {self.entry_id}: postings sum to {total}, not 0")
