"""Journal balances: what the postings add up to, and what they should add up to.

Every :class:`~microfolio.domain.journal.JournalEntry` balances on its own; these helpers check
the journal as a whole against the book it describes (the asset accounts must equal the book's
cash and its lots at cost).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from microfolio.domain.journal import JournalEntry, LedgerAccount
from microfolio.domain.money import ZERO
from microfolio.ledger.book import Book

__all__ = ["asset_balances", "trial_balance"]


def trial_balance(entries: Iterable[JournalEntry]) -> dict[str, Decimal]:
    """Balance of every ledger account the entries touch (debits positive, credits negative)."""
    balances: dict[str, Decimal] = {}
    for entry in entries:
        for posting in entry.postings:
            account = posting.ledger_account
            balances[account] = balances.get(account, ZERO) + posting.amount
    return balances


def asset_balances(book: Book) -> dict[str, Decimal]:
    """The asset-account balances the journal must show for ``book``: cash and lots at cost."""
    balances = {LedgerAccount.CASH: book.cash}
    for ticker in book.positions():
        balances[LedgerAccount.securities(ticker)] = book.cost_basis(ticker)
    return balances
