"""Migration 0004 (client withdrawals) upgrades databases made by 0003, rows and all, and
downgrades back to 0003 dropping only its table, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from store_factories import ACCOUNT, DAY, HOUSEHOLD, Make

from microfolio.domain import Account, Household, Withdrawal
from microfolio.store import Store, alembic_config, current_revision, head_revision, make_engine
from microfolio.store.models import (
    AccountRow,
    CashBalanceRow,
    HouseholdRow,
    LotRow,
    WithdrawalRow,
    table_of,
)
from microfolio.store.schema import upgrade

LATER = date(2024, 3, 4)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _write_0003_rows(engine: Engine) -> None:
    """A household, an onboarded account with cash and a lot, as 0003 knew them."""
    lot = Make().lot(lot_id="lot-1")
    with engine.begin() as connection:
        connection.execute(insert(table_of(HouseholdRow)), {"household_id": HOUSEHOLD, "name": "A"})
        connection.execute(
            insert(table_of(AccountRow)),
            {
                "account_id": ACCOUNT,
                "household_id": HOUSEHOLD,
                "name": "Taxable",
                "account_type": "taxable",
                "fractional": True,
                "lot_method": "fifo",
                "risk_level": 6,
            },
        )
        connection.execute(
            insert(table_of(CashBalanceRow)), {"account_id": ACCOUNT, "amount": Decimal("250.75")}
        )
        connection.execute(
            insert(table_of(LotRow)),
            {
                "lot_id": lot.lot_id,
                "account_id": ACCOUNT,
                "ticker": lot.ticker,
                "quantity": lot.quantity,
                "cost": lot.cost,
                "acquired": lot.acquired,
                "basis_adjustment": lot.basis_adjustment,
                "holding_start": None,
            },
        )


def test_a_database_made_by_0003_upgrades_keeping_its_rows_and_takes_withdrawals(
    database_url: str, engine: Engine
) -> None:
    # Arrange
    upgrade(engine, "0003")
    _write_0003_rows(engine)
    assert "withdrawals" not in _tables(engine)
    wanted = Withdrawal("wd-1", ACCOUNT, DAY, Decimal("100.25"))
    # Act
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            account = uow.account(ACCOUNT)
            cash = uow.cash(ACCOUNT)
            lots = uow.lots(ACCOUNT)
            before = uow.withdrawals(ACCOUNT)
            uow.add_withdrawal(wanted)
        with store.unit_of_work() as uow:
            pending = uow.pending_withdrawals(ACCOUNT)
            paid = uow.mark_withdrawal_paid("wd-1", LATER)
        with store.unit_of_work() as uow:
            stored = uow.withdrawals(ACCOUNT)
            still_pending = uow.pending_withdrawals(ACCOUNT)
    finally:
        store.dispose()
    # Assert
    assert current_revision(engine) == head_revision()
    assert account == Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=6)
    assert cash == Decimal("250.75")
    assert [lot.lot_id for lot in lots] == ["lot-1"]
    assert before == ()
    assert pending == (wanted,)
    assert stored == (paid,) == (Withdrawal("wd-1", ACCOUNT, DAY, Decimal("100.25"), LATER),)
    assert still_pending == ()


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [("amount", Decimal("0"), "amount_positive"), ("paid", date(2024, 2, 29), "paid_not_before")],
)
def test_the_withdrawal_checks_hold_in_the_database(
    database_url: str, engine: Engine, column: str, value: object, check: str
) -> None:
    # Arrange: the domain refuses such a row first; the database must refuse it too
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable"))
            uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, DAY, Decimal("5.00")))
    finally:
        store.dispose()
    withdrawals = table_of(WithdrawalRow)
    # Act / Assert
    with pytest.raises(IntegrityError, match=check), engine.begin() as connection:
        connection.execute(update(withdrawals).values({column: value}))
    with engine.connect() as connection:
        row = connection.execute(select(withdrawals.c.amount, withdrawals.c.paid)).one()
    assert tuple(row) == (Decimal("5.00"), None)


def test_downgrading_0004_drops_the_table_keeps_the_rest_and_upgrading_again_works(
    database_url: str, engine: Engine
) -> None:
    # Arrange: a head database with withdrawals in use
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=5))
            uow.set_cash(ACCOUNT, Decimal("99.99"))
            uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, DAY, Decimal("10.00"), DAY))
            uow.add_withdrawal(Withdrawal("wd-2", ACCOUNT, DAY, Decimal("20.00")))
    finally:
        store.dispose()
    assert "withdrawals" in _tables(engine)
    # Act
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
    # Assert: back at 0003, the table gone, the account and its cash kept
    assert current_revision(engine) == "0003"
    assert "withdrawals" not in _tables(engine)
    with engine.connect() as connection:
        accounts = connection.execute(select(func.count()).select_from(table_of(AccountRow)))
        assert accounts.scalar() == 1
        cash = connection.execute(select(table_of(CashBalanceRow).c.amount)).scalar()
        assert cash == Decimal("99.99")
    # and upgrading again brings the table back, empty and usable
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            emptied = uow.withdrawals(ACCOUNT)
            uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, LATER, Decimal("1.00")))
        with store.unit_of_work() as uow:
            again = uow.pending_withdrawals(ACCOUNT)
            account = uow.account(ACCOUNT)
    finally:
        store.dispose()
    assert current_revision(engine) == head_revision()
    assert emptied == ()
    assert again == (Withdrawal("wd-1", ACCOUNT, LATER, Decimal("1.00")),)
    assert account.risk_level == 5
