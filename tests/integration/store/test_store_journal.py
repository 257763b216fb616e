"""The double-entry journal: balances are sums of postings, exact to the cent, per account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from store_factories import ACCOUNT, DAY, OTHER_ACCOUNT, Make

from microfolio.domain import JournalEntry, LedgerAccount, Posting
from microfolio.store import Store


def _buy(entry_id: str, ticker: str, cost: str, commission: str) -> JournalEntry:
    return JournalEntry(
        entry_id=entry_id,
        account_id=ACCOUNT,
        session=date(2024, 3, 4),
        memo=f"buy {ticker}",
        postings=(
            Posting(LedgerAccount.securities(ticker), Decimal(cost)),
            Posting(LedgerAccount.COMMISSION, Decimal(commission)),
            Posting(LedgerAccount.CASH, -(Decimal(cost) + Decimal(commission))),
        ),
    )


def test_balances_are_the_sums_of_postings_by_ledger_account(seeded: Store, make: Make) -> None:
    # Arrange
    entries = [
        make.deposit("1000.00"),
        make.deposit("0.01"),
        make.deposit("0.02"),
        _buy("je-buy-1", "VTI", "600.10", "0.35"),
        _buy("je-buy-2", "VEA", "300.00", "0.00"),
    ]
    # Act
    with seeded.unit_of_work() as uow:
        uow.add_journal_entries(entries)
    with seeded.unit_of_work() as uow:
        balances = uow.journal_balances(ACCOUNT)
    # Assert
    assert balances == {
        LedgerAccount.CASH: Decimal("99.58"),
        LedgerAccount.COMMISSION: Decimal("0.35"),
        LedgerAccount.CONTRIBUTIONS: Decimal("-1000.03"),
        LedgerAccount.securities("VEA"): Decimal("300.00"),
        LedgerAccount.securities("VTI"): Decimal("600.10"),
    }
    assert sum(balances.values()) == Decimal("0")


def test_balances_of_one_account_ignore_the_others(seeded: Store, make: Make) -> None:
    with seeded.unit_of_work() as uow:
        uow.add_journal_entries([make.deposit("10.00", account_id=OTHER_ACCOUNT)])
        uow.add_journal_entries([make.deposit("1.00")])
    with seeded.unit_of_work() as uow:
        mine = uow.journal_balances(ACCOUNT)
    assert mine == {
        LedgerAccount.CASH: Decimal("1.00"),
        LedgerAccount.CONTRIBUTIONS: Decimal("-1.00"),
    }


def test_an_account_without_entries_has_no_balances(seeded: Store) -> None:
    with seeded.unit_of_work() as uow:
        assert uow.journal_balances(ACCOUNT) == {}
        assert uow.journal_entries(ACCOUNT) == ()


def test_entries_come_back_by_session_then_insertion_order(seeded: Store, make: Make) -> None:
    later = make.deposit("5.00", session=date(2024, 3, 8))
    first, second = make.deposit("1.00", session=DAY), make.deposit("2.00", session=DAY)
    with seeded.unit_of_work() as uow:
        uow.add_journal_entries([later, first])
    with seeded.unit_of_work() as uow:
        uow.add_journal_entries([second])
    with seeded.unit_of_work() as uow:
        assert uow.journal_entries(ACCOUNT) == (first, second, later)
