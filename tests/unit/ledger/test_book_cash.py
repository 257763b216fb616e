"""Book construction, deposits and withdrawals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_helpers import D1

from microfolio.domain import IdFactory, LedgerAccount, Lot, Posting
from microfolio.errors import InsufficientHoldingsError, InvariantError
from microfolio.ledger import Book


def test_deposit_adds_cash_and_journals_a_contribution(ids: IdFactory) -> None:
    update = Book("acc").deposit(Decimal("1000.00"), D1, ids)

    assert update.book == Book("acc", Decimal("1000.00"))
    assert update.entry.postings == (
        Posting(LedgerAccount.CASH, Decimal("1000.00")),
        Posting(LedgerAccount.CONTRIBUTIONS, Decimal("-1000.00")),
    )
    assert (update.entry.entry_id, update.entry.session) == ("je-000001", D1)
    assert (update.lot, update.disposals) == (None, ())


def test_withdrawal_takes_cash_and_reduces_contributions(ids: IdFactory) -> None:
    update = Book("acc", Decimal("1000.00")).withdraw(Decimal("400.00"), D1, ids)

    assert update.book.cash == Decimal("600.00")
    assert update.entry.postings == (
        Posting(LedgerAccount.CONTRIBUTIONS, Decimal("400.00")),
        Posting(LedgerAccount.CASH, Decimal("-400.00")),
    )


def test_withdrawal_beyond_cash_raises(ids: IdFactory) -> None:
    with pytest.raises(InsufficientHoldingsError, match="exceeds its cash"):
        Book("acc", Decimal("10.00")).withdraw(Decimal("10.01"), D1, ids)


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001"])
def test_cash_movements_must_be_positive_whole_cents(ids: IdFactory, amount: str) -> None:
    book = Book("acc", Decimal("10.00"))
    with pytest.raises(InvariantError, match="positive whole cents"):
        book.deposit(Decimal(amount), D1, ids)
    with pytest.raises(InvariantError, match="positive whole cents"):
        book.withdraw(Decimal(amount), D1, ids)


@pytest.mark.parametrize(
    ("cash", "lot_accounts", "message"),
    [
        ("-0.01", (), "cash must be >= 0"),
        ("1.001", (), "whole cents"),
        ("0", ("other",), "belongs to other"),
        ("0", ("acc", "acc"), "unique"),
    ],
)
def test_book_refuses_broken_invariants(
    cash: str, lot_accounts: tuple[str, ...], message: str
) -> None:
    lots = tuple(Lot("lot-1", a, "AAA", Decimal(1), Decimal(10), D1) for a in lot_accounts)
    with pytest.raises(InvariantError, match=message):
        Book("acc", Decimal(cash), lots)


def test_book_keeps_lots_as_a_tuple() -> None:
    lot = Lot("lot-1", "acc", "AAA", Decimal(1), Decimal(10), D1)
    assert Book("acc", Decimal(0), [lot]).lots == (lot,)  # type: ignore[arg-type]
