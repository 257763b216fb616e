"""Migration 0002 (tax lots and wash sales) upgrades databases made by 0001, rows and all, and
downgrades back to 0001 without losing the rows 0001 knew about, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import DefaultClause, func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from store_factories import ACCOUNT, DAY, HOUSEHOLD, Make

from microfolio.domain import (
    Account,
    AccountType,
    Disposal,
    Household,
    Lot,
    LotMethod,
    Order,
    OrderStatus,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
)
from microfolio.store import (
    Base,
    Store,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
)
from microfolio.store.models import (
    AccountRow,
    CashBalanceRow,
    DisposalRow,
    FillRow,
    HouseholdRow,
    LotRow,
    OrderRow,
    TicketRow,
    table_of,
)
from microfolio.store.schema import upgrade

NEW_TABLES = {"wash_purchases", "wash_losses", "wash_sales"}
NEW_COLUMNS = {
    "accounts": {"lot_method"},
    "lots": {"basis_adjustment", "holding_start"},
    "disposals": {"basis_adjustment", "tax_acquired"},
    "orders": {"limit_price", "lot_ids"},
    "trade_tickets": {"limit_price", "lot_ids"},
}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def _write_0001_rows(engine: Engine) -> None:
    """Rows as 0001 knew them: only the columns it had (the Core insert names no others)."""
    with engine.begin() as connection:
        connection.execute(insert(table_of(HouseholdRow)), {"household_id": HOUSEHOLD, "name": "A"})
        connection.execute(
            insert(table_of(AccountRow)),
            {
                "account_id": ACCOUNT,
                "household_id": HOUSEHOLD,
                "name": "Joint taxable",
                "account_type": "taxable",
                "fractional": True,
            },
        )
        connection.execute(
            insert(table_of(CashBalanceRow)), {"account_id": ACCOUNT, "amount": Decimal("10.01")}
        )
        connection.execute(
            insert(table_of(LotRow)),
            {
                "lot_id": "lot-1",
                "account_id": ACCOUNT,
                "ticker": "VTI",
                "quantity": Decimal("1.234567"),
                "cost": Decimal("300.01"),
                "acquired": date(2023, 1, 3),
            },
        )
        connection.execute(
            insert(table_of(TicketRow)),
            {
                "ticket_id": "tkt-1",
                "account_id": ACCOUNT,
                "session": DAY,
                "ticker": "VTI",
                "side": "sell",
                "quantity": Decimal("1.5"),
                "notional": None,
                "reasons": [{"kind": "harvest", "detail": "loss", "figures": [["loss", -1.5]]}],
            },
        )
        connection.execute(
            insert(table_of(OrderRow)),
            {
                "order_id": "ord-1",
                "account_id": ACCOUNT,
                "ticker": "VTI",
                "side": "sell",
                "created": DAY,
                "quantity": Decimal("1.5"),
                "notional": None,
                "status": "filled",
                "ticket_id": "tkt-1",
            },
        )
        connection.execute(
            insert(table_of(FillRow)),
            {
                "fill_id": "fill-1",
                "order_id": "ord-1",
                "account_id": ACCOUNT,
                "ticker": "VTI",
                "side": "sell",
                "quantity": Decimal("1.5"),
                "price": Decimal("200.0001"),
                "commission": Decimal("0.00"),
                "session": DAY,
                "reference_price": Decimal("200.0000"),
            },
        )
        connection.execute(
            insert(table_of(DisposalRow)),
            {
                "disposal_id": "dsp-1",
                "account_id": ACCOUNT,
                "lot_id": "lot-0",
                "fill_id": "fill-1",
                "ticker": "VTI",
                "quantity": Decimal("1.5"),
                "acquired": date(2022, 5, 6),
                "sold": DAY,
                "proceeds": Decimal("300.00"),
                "cost": Decimal("450.00"),
            },
        )


def test_a_database_made_by_0001_upgrades_and_its_rows_take_the_defaults(
    database_url: str, engine: Engine
) -> None:
    # Arrange
    upgrade(engine, "0001")
    _write_0001_rows(engine)
    # Act
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            account = uow.account(ACCOUNT)
            cash = uow.cash(ACCOUNT)
            lots = uow.lots(ACCOUNT)
            orders = uow.orders(ACCOUNT)
            tickets = uow.tickets(ACCOUNT)
            disposals = uow.disposals(ACCOUNT)
            window = uow.wash_window(HOUSEHOLD)
            washes = uow.wash_sales()
    finally:
        store.dispose()
    # Assert
    assert current_revision(engine) == head_revision()
    assert account == Account(ACCOUNT, HOUSEHOLD, "Joint taxable", AccountType.TAXABLE)
    assert account.lot_method is LotMethod.FIFO
    assert cash == Decimal("10.01")
    assert lots == (
        Lot("lot-1", ACCOUNT, "VTI", Decimal("1.234567"), Decimal("300.01"), date(2023, 1, 3)),
    )
    assert lots[0].basis_adjustment == Decimal("0")
    assert lots[0].holding_start is None
    assert orders == (
        Order(
            "ord-1",
            ACCOUNT,
            "VTI",
            Side.SELL,
            DAY,
            quantity=Decimal("1.5"),
            status=OrderStatus.FILLED,
            ticket_id="tkt-1",
        ),
    )
    assert orders[0].limit_price is None
    assert orders[0].lot_ids == ()
    assert tickets == (
        TradeTicket(
            "tkt-1",
            ACCOUNT,
            DAY,
            "VTI",
            Side.SELL,
            (Reason(ReasonKind.HARVEST, "loss", (("loss", -1.5),)),),
            quantity=Decimal("1.5"),
        ),
    )
    assert tickets[0].lot_ids == ()
    assert disposals == (
        Disposal(
            "dsp-1",
            ACCOUNT,
            "lot-0",
            "fill-1",
            "VTI",
            Decimal("1.5"),
            date(2022, 5, 6),
            DAY,
            Decimal("300.00"),
            Decimal("450.00"),
        ),
    )
    assert disposals[0].basis_adjustment == Decimal("0")
    assert disposals[0].tax_acquired is None
    assert window == ((), ())
    assert washes == ()


def test_upgraded_rows_take_the_new_fields_and_the_lot_method_check_holds(
    database_url: str, engine: Engine
) -> None:
    # Arrange
    upgrade(engine, "0001")
    _write_0001_rows(engine)
    store = Store(database_url)
    make = Make()
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            (lot,) = uow.lots(ACCOUNT)
            washed = replace(
                lot, basis_adjustment=Decimal("12.34"), holding_start=date(2022, 12, 1)
            )
            # Act
            uow.replace_lots(ACCOUNT, [washed])
            uow.add_account(Account("acc-hifo", HOUSEHOLD, "HIFO", lot_method=LotMethod.HIFO))
            uow.replace_wash_window(HOUSEHOLD, [make.purchase()], [make.loss()])
            uow.add_wash_sales([make.wash()])
        with store.unit_of_work() as uow:
            lots = uow.lots(ACCOUNT)
            hifo = uow.account("acc-hifo")
            purchases, losses = uow.wash_window(HOUSEHOLD)
            washes = uow.wash_sales(HOUSEHOLD)
    finally:
        store.dispose()
    # Assert
    assert lots == (washed,)
    assert hifo.lot_method is LotMethod.HIFO
    assert (len(purchases), len(losses), len(washes)) == (1, 1, 1)
    accounts = table_of(AccountRow)
    with pytest.raises(IntegrityError, match="lot_method"), engine.begin() as connection:
        connection.execute(update(accounts).values(lot_method="lifo"))


def test_downgrading_0002_drops_its_columns_and_tables_and_keeps_the_rows(
    database_url: str, engine: Engine
) -> None:
    # Arrange: a head database with the new fields in use
    store = Store(database_url)
    make = Make()
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.add_household(Household(HOUSEHOLD, "Ada"))
            uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Taxable", lot_method=LotMethod.TAX_MIN))
            lot = make.lot(basis_adjustment="5.00", holding_start=date(2024, 1, 2))
            uow.replace_lots(ACCOUNT, [lot])
            ticket = replace(make.ticket(), limit_price=Decimal("1.2345"))
            uow.add_tickets([ticket])
            order = replace(make.order(ticket_id=ticket.ticket_id), lot_ids=(lot.lot_id,))
            uow.save_order(order)
            uow.replace_wash_window(HOUSEHOLD, [make.purchase()], [make.loss()])
            uow.add_wash_sales([make.wash()])
    finally:
        store.dispose()
    # Act
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    # Assert: back at 0001, the new columns and tables gone, the old rows kept
    assert current_revision(engine) == "0001"
    assert NEW_TABLES.isdisjoint(inspect(engine).get_table_names())
    for table, columns in NEW_COLUMNS.items():
        assert columns.isdisjoint(_columns(engine, table)), table
    assert {check["name"] for check in inspect(engine).get_check_constraints("accounts")} == {
        "ck_accounts_account_type"
    }
    lots = table_of(LotRow)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(lots)).scalar() == 1
        assert (
            connection.execute(select(func.count()).select_from(table_of(OrderRow))).scalar() == 1
        )
    # and upgrading again brings the defaults back
    store = Store(database_url)
    try:
        store.migrate()
        with store.unit_of_work() as uow:
            assert uow.lots(ACCOUNT) == (
                replace(lot, basis_adjustment=Decimal(0), holding_start=None),
            )
            assert uow.account(ACCOUNT).lot_method is LotMethod.FIFO
            assert uow.orders(ACCOUNT) == (replace(order, lot_ids=()),)
            assert uow.tickets(ACCOUNT) == (replace(ticket, limit_price=None),)
    finally:
        store.dispose()


def test_the_migrated_columns_have_the_server_defaults_of_the_models(
    database_url: str, engine: Engine
) -> None:
    # Arrange: compare_metadata leaves server defaults out (PostgreSQL cannot compare JSON ones)
    store = Store(database_url)
    store.migrate()
    store.dispose()
    # Act
    inspector = inspect(engine)
    found = {
        (name, column["name"]): column["default"]
        for name in Base.metadata.tables
        for column in inspector.get_columns(name)
        if column.get("autoincrement") is not True
    }
    # Assert
    wanted: dict[tuple[str, str], str | None] = {}
    for name, table in Base.metadata.tables.items():
        for column in table.columns:
            if column.server_default is None:
                wanted[(name, column.name)] = None
            else:
                assert isinstance(column.server_default, DefaultClause)
                wanted[(name, column.name)] = str(column.server_default.arg).strip("'")
    for key, default in wanted.items():
        if key in found:
            reflected = found[key]
            assert (reflected is None) == (default is None), key
            assert default is None or default in str(reflected), (key, reflected)
    assert {key for key, default in wanted.items() if default is not None} == {
        ("accounts", "lot_method"),
        ("lots", "basis_adjustment"),
        ("disposals", "basis_adjustment"),
        ("orders", "lot_ids"),
        ("trade_tickets", "lot_ids"),
    }
