"""Migration 0003 (the account's risk level) upgrades databases made by 0002, their accounts with
no risk level, and downgrades back to 0002 without losing the accounts, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from store_factories import ACCOUNT, HOUSEHOLD

from microfolio.domain import Account, AccountType, Household, LotMethod
from microfolio.store import Store, alembic_config, current_revision, head_revision, make_engine
from microfolio.store.models import AccountRow, CashBalanceRow, HouseholdRow, table_of
from microfolio.store.schema import upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _account_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("accounts")}


def _account_checks(engine: Engine) -> set[str]:
    return {str(check["name"]) for check in inspect(engine).get_check_constraints("accounts")}


def _write_0002_account(engine: Engine) -> None:
    """An account as 0002 knew it: only the columns it had (the Core insert names no others)."""
    with engine.begin() as connection:
        connection.execute(insert(table_of(HouseholdRow)), {"household_id": HOUSEHOLD, "name": "A"})
        connection.execute(
            insert(table_of(AccountRow)),
            {
                "account_id": ACCOUNT,
                "household_id": HOUSEHOLD,
                "name": "Spouse",
                "account_type": "taxable",
                "fractional": False,
                "lot_method": "hifo",
            },
        )
        connection.execute(
            insert(table_of(CashBalanceRow)), {"account_id": ACCOUNT, "amount": Decimal("12.34")}
        )


def test_a_database_made_by_0002_upgrades_and_its_accounts_have_no_risk_level(
    database_url: str, engine: Engine
) -> None:
    # Arrange
    upgrade(engine, "0002")
    _write_0002_account(engine)
    assert "risk_level" not in _account_columns(engine)
    # Act
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            account = uow.account(ACCOUNT)
            cash = uow.cash(ACCOUNT)
            onboarded = uow.set_risk_level(ACCOUNT, 6)
        with store.unit_of_work() as uow:
            stored = uow.account(ACCOUNT)
    finally:
        store.dispose()
    # Assert
    assert current_revision(engine) == head_revision()
    assert account == Account(
        ACCOUNT, HOUSEHOLD, "Spouse", AccountType.TAXABLE, False, LotMethod.HIFO
    )
    assert account.risk_level is None
    assert cash == Decimal("12.34")
    assert stored == onboarded
    assert stored.risk_level == 6


@pytest.mark.parametrize("level", [-1, 11])
def test_the_risk_level_check_holds_in_the_database(
    database_url: str, engine: Engine, level: int
) -> None:
    # Arrange: the domain refuses such a level first; the database must refuse it too
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=3))
    finally:
        store.dispose()
    accounts = table_of(AccountRow)
    # Act / Assert
    with pytest.raises(IntegrityError, match="risk_level"), engine.begin() as connection:
        connection.execute(update(accounts).values(risk_level=level))
    with engine.begin() as connection:
        connection.execute(update(accounts).values(risk_level=None))
        connection.execute(update(accounts).values(risk_level=10))
        stored = connection.execute(select(accounts.c.risk_level)).scalar()
    assert stored == 10


def test_downgrading_0003_drops_the_column_and_its_check_and_keeps_the_accounts(
    database_url: str, engine: Engine
) -> None:
    # Arrange: a head database with risk levels in use
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=5))
            uow.add_account(Account("acc-ira", HOUSEHOLD, "IRA", AccountType.ROTH_IRA))
    finally:
        store.dispose()
    assert "ck_accounts_risk_level_in_range" in _account_checks(engine)
    # Act
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    # Assert: back at 0002, the column and its check gone, the accounts kept
    assert current_revision(engine) == "0002"
    assert "risk_level" not in _account_columns(engine)
    assert _account_checks(engine) == {"ck_accounts_account_type", "ck_accounts_lot_method"}
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(table_of(AccountRow)))
        assert count.scalar() == 2
    # and upgrading again brings the column back, empty
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            accounts = uow.accounts(HOUSEHOLD)
    finally:
        store.dispose()
    assert {a.account_id: a.risk_level for a in accounts} == {ACCOUNT: None, "acc-ira": None}
