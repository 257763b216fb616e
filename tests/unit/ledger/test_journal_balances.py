"""Journal balances against the book they describe."""

from __future__ import annotations

from decimal import Decimal

from ledger_helpers import D1, D2, FillMaker

from microfolio.domain import IdFactory, JournalEntry, LedgerAccount, Side
from microfolio.ledger import Book, asset_balances, trial_balance


def test_journal_of_a_history_matches_the_book(ids: IdFactory, make_fill: FillMaker) -> None:
    entries: list[JournalEntry] = []
    book = Book("acc")
    update = book.deposit(Decimal("1000.00"), D1, ids)
    entries.append(update.entry)
    update = update.book.apply_fill(make_fill(Side.BUY, "5", "100.00", "0.05"), ids)
    entries.append(update.entry)
    update = update.book.apply_fill(make_fill(Side.SELL, "2", "110.00", "0.02", session=D2), ids)
    entries.append(update.entry)
    update = update.book.withdraw(Decimal("100.00"), D2, ids)
    entries.append(update.entry)
    book = update.book

    balances = trial_balance(entries)

    assert sum(balances.values(), Decimal(0)) == 0
    assert asset_balances(book) == {
        LedgerAccount.CASH: book.cash,
        LedgerAccount.securities("AAA"): book.cost_basis("AAA"),
    }
    assert {k: balances[k] for k in asset_balances(book)} == asset_balances(book)
    assert balances[LedgerAccount.CONTRIBUTIONS] == Decimal("-900.00")
    # 2 of 5 shares bought for 500.05: basis 200.02; sold for 220.00 - 0.02
    assert balances[LedgerAccount.REALIZED_GAIN] == -(Decimal("219.98") - Decimal("200.02"))
