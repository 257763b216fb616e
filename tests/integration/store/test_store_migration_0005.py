"""Migration 0005 (the model registry) upgrades databases made by 0004, rows and all, and
downgrades back to 0004 dropping only its two tables, on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from store_factories import ACCOUNT, DAY, HOUSEHOLD

from microfolio.domain import Account, Household, Withdrawal
from microfolio.signals.monitor import ModelRecord, ModelStatus, RegistryAction, ValidationScores
from microfolio.store import (
    SqlModelRegistry,
    Store,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
)
from microfolio.store.models import (
    AccountRow,
    CashBalanceRow,
    HouseholdRow,
    ModelEventRow,
    ModelRecordRow,
    WithdrawalRow,
    table_of,
)
from microfolio.store.schema import upgrade

KIND = "return_forecast"
REGISTRY_TABLES = {"model_records", "model_events"}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _record(model_id: str, kind: str = KIND) -> ModelRecord:
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="3f9a1c2b4d5e6f70",
        params={"alpha": 0.1},
        validation=ValidationScores(dt.date(2016, 1, 4), dt.date(2016, 12, 30), {"ic": 0.03}),
        created=dt.date(2017, 1, 3),
    )


def _write_0004_rows(engine: Engine) -> None:
    """A household, an account with cash and a pending withdrawal, as 0004 knew them."""
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
            insert(table_of(WithdrawalRow)),
            {
                "withdrawal_id": "wd-1",
                "account_id": ACCOUNT,
                "requested": DAY,
                "amount": Decimal("100.25"),
                "paid": None,
            },
        )


def test_a_database_made_by_0004_upgrades_keeping_its_rows_and_takes_models(
    database_url: str, engine: Engine
) -> None:
    # Arrange
    upgrade(engine, "0004")
    _write_0004_rows(engine)
    assert not REGISTRY_TABLES & _tables(engine)
    # Act
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            account = uow.account(ACCOUNT)
            cash = uow.cash(ACCOUNT)
            pending = uow.pending_withdrawals(ACCOUNT)
        registry = SqlModelRegistry(store)
        empty = (registry.champion(KIND), registry.challengers(KIND), registry.history(KIND))
        registry.register(_record("a"))
        registry.promote("a", "first model")
        registry.register(_record("b"))
        champion = registry.champion(KIND)
        challengers = registry.challengers(KIND)
    finally:
        store.dispose()
    # Assert
    assert current_revision(engine) == head_revision()
    assert _tables(engine) >= REGISTRY_TABLES
    assert account == Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=6)
    assert cash == Decimal("250.75")
    assert pending == (Withdrawal("wd-1", ACCOUNT, DAY, Decimal("100.25")),)
    assert empty == (None, (), ())
    assert champion == _record("a").with_status(ModelStatus.CHAMPION)
    assert challengers == (_record("b"),)


@pytest.mark.parametrize(
    ("table", "values", "check"),
    [
        ("model_records", {"status": "demoted"}, "status"),
        ("model_records", {"train_start": dt.date(2016, 1, 1)}, "train_window_in_order"),
        ("model_records", {"created": dt.date(2015, 12, 30)}, "created_after_training"),
        ("model_records", {"status": "champion"}, "one_champion_per_kind|UNIQUE"),
        ("model_events", {"action": "demoted"}, "action"),
        ("model_events", {"sequence": 0}, "sequence_positive"),
        ("model_events", {"previous_champion_id": "a"}, "previous_champion_on_promotion"),
        ("model_events", {"model_id": "nobody"}, "FOREIGN KEY|foreign key"),
    ],
)
def test_the_registry_checks_hold_in_the_database(
    database_url: str, engine: Engine, table: str, values: dict[str, object], check: str
) -> None:
    # Arrange: a champion and a challenger of one kind; the domain refuses each bad row first,
    # and the database must refuse it too
    store = Store(database_url)
    try:
        store.migrate()
        registry = SqlModelRegistry(store)
        registry.register(_record("a"))
        registry.promote("a", "first model")
        registry.register(_record("b"))
    finally:
        store.dispose()
    target = table_of(ModelRecordRow if table == "model_records" else ModelEventRow)
    rows = table_of(ModelRecordRow)
    counted = select(rows.c.model_id, rows.c.status).order_by(rows.c.id)
    with engine.connect() as connection:
        before = connection.execute(counted).all()
    # Act / Assert: the change is made to "b" (a challenger) or its registration event
    with pytest.raises(IntegrityError, match=check), engine.begin() as connection:
        connection.execute(update(target).where(target.c.model_id == "b").values(values))
    with engine.connect() as connection:
        assert (
            connection.execute(counted).all() == before == [("a", "champion"), ("b", "challenger")]
        )


def test_downgrading_0005_drops_the_tables_keeps_the_rest_and_upgrading_again_works(
    database_url: str, engine: Engine
) -> None:
    # Arrange: a head database with accounts and the registry in use
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable", risk_level=5))
            uow.set_cash(ACCOUNT, Decimal("99.99"))
            uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, DAY, Decimal("10.00")))
        registry = SqlModelRegistry(store)
        registry.register(_record("a"))
        registry.promote("a", "first model")
    finally:
        store.dispose()
    assert _tables(engine) >= REGISTRY_TABLES
    # Act
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0004")
    # Assert: back at 0004, the registry's tables gone, the account, cash and withdrawal kept
    assert current_revision(engine) == "0004"
    assert not REGISTRY_TABLES & _tables(engine)
    with engine.connect() as connection:
        accounts = connection.execute(select(func.count()).select_from(table_of(AccountRow)))
        assert accounts.scalar() == 1
        cash = connection.execute(select(table_of(CashBalanceRow).c.amount)).scalar()
        assert cash == Decimal("99.99")
        withdrawals = connection.execute(select(table_of(WithdrawalRow).c.withdrawal_id))
        assert withdrawals.scalars().all() == ["wd-1"]
    # and upgrading again brings the tables back, empty and usable, events numbered from 1
    store = Store(database_url)
    try:
        store.migrate()
        registry = SqlModelRegistry(store)
        emptied = (registry.champion(KIND), registry.history(KIND))
        registry.register(_record("a"))
        registry.promote("a", "retrained")
        history = registry.history(KIND)
        with store.unit_of_work() as uow:
            account = uow.account(ACCOUNT)
    finally:
        store.dispose()
    assert current_revision(engine) == head_revision()
    assert emptied == (None, ())
    assert [(e.sequence, e.action) for e in history] == [
        (1, RegistryAction.REGISTERED),
        (2, RegistryAction.PROMOTED),
    ]
    assert account.risk_level == 5
