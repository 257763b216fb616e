"""The store and its unit of work: one transaction, domain objects in and out.

Usage::

    store = Store.open(default_sqlite_path=work_dir / "microfolio.db")
    store.migrate()
    with store.unit_of_work() as uow:
        cash = uow.cash("acc-1")
        uow.set_cash("acc-1", cash - fill_cost)
        uow.add_fills([fill])
    # committed here; any exception inside the block rolls everything back

Every method takes and returns frozen domain objects, never rows. Database errors surface as
:class:`~microfolio.errors.StoreError` with one line naming what was being done; a missing
account is a :class:`~microfolio.errors.NotFoundError`. After a ``StoreError`` the transaction is
spoiled: let the exception leave the ``with`` block, which rolls it back.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import String, Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlalchemy.sql.dml import Insert

from microfolio.domain import (
    ZERO,
    Account,
    Asset,
    AuditEvent,
    Disposal,
    Fill,
    Household,
    JournalEntry,
    Lot,
    Order,
    OrderStatus,
    TradeTicket,
    Withdrawal,
)
from microfolio.errors import (
    IllegalTransitionError,
    InvariantError,
    MicrofolioError,
    NotFoundError,
    StoreError,
)
from microfolio.signals.monitor import ModelRecord, ModelStatus, RegistryAction, RegistryEvent
from microfolio.store import rows
from microfolio.store.database import describe_error, make_engine, resolve_url, safe_url
from microfolio.store.models import (
    AccountRow,
    AssetRow,
    AuditEventRow,
    CashBalanceRow,
    DisposalRow,
    FillRow,
    HouseholdRow,
    JournalEntryRow,
    LotRow,
    ModelEventRow,
    ModelRecordRow,
    OrderRow,
    PostingRow,
    TicketRow,
    ValuationRow,
    WashLossRow,
    WashPurchaseRow,
    WashSaleRow,
    WithdrawalRow,
    table_of,
)
from microfolio.store.schema import upgrade
from microfolio.tax.wash_records import LossSale, Purchase, WashSale

__all__ = ["Store", "UnitOfWork"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_OPEN_STATUSES = tuple(status.value for status in OrderStatus if status.is_open)


def _upsert(
    backend: str,
    table: Table,
    keys: list[str],
    columns: list[str],
    *,
    same_column: str | None = None,
) -> Insert:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET columns`` (both backends spell it alike).

    With ``same_column``, a conflicting row is only updated when that column matches.
    """
    stmt = sqlite_insert(table) if backend == "sqlite" else pg_insert(table)
    excluded = stmt.excluded
    where = None if same_column is None else table.c[same_column] == excluded[same_column]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={name: excluded[name] for name in columns}, where=where
    )


class _Sql:
    """Every statement the unit of work runs, built once per store for its backend."""

    def __init__(self, backend: str) -> None:
        assets = table_of(AssetRow)
        households = table_of(HouseholdRow)
        accounts = table_of(AccountRow)
        cash = table_of(CashBalanceRow)
        lots = table_of(LotRow)
        disposals = table_of(DisposalRow)
        orders = table_of(OrderRow)
        fills = table_of(FillRow)
        tickets = table_of(TicketRow)
        entries = table_of(JournalEntryRow)
        postings = table_of(PostingRow)
        audit = table_of(AuditEventRow)
        valuations = table_of(ValuationRow)
        wash_purchases = table_of(WashPurchaseRow)
        wash_losses = table_of(WashLossRow)
        wash_sales = table_of(WashSaleRow)
        withdrawals = table_of(WithdrawalRow)
        models = table_of(ModelRecordRow)
        model_events = table_of(ModelEventRow)
        account_id = bindparam("account_id", type_=String())
        household_id = bindparam("household_id", type_=String())

        self.upsert_assets = _upsert(
            backend, assets, ["ticker"], ["asset_class", "tlh_rank", "tracks"]
        )
        self.select_assets = select(
            assets.c.ticker, assets.c.asset_class, assets.c.tlh_rank, assets.c.tracks
        ).order_by(assets.c.ticker)

        self.insert_household = insert(households)
        self.select_households = select(households.c.household_id, households.c.name).order_by(
            households.c.household_id
        )
        self.household_exists = select(households.c.household_id).where(
            households.c.household_id == bindparam("household_id")
        )

        self.insert_account = insert(accounts)
        account_columns = select(
            accounts.c.account_id,
            accounts.c.household_id,
            accounts.c.name,
            accounts.c.account_type,
            accounts.c.fractional,
            accounts.c.lot_method,
            accounts.c.risk_level,
        )
        self.select_account = account_columns.where(accounts.c.account_id == account_id)
        self.select_accounts = account_columns.order_by(accounts.c.account_id)
        self.select_household_accounts = account_columns.where(
            accounts.c.household_id == bindparam("household_id")
        ).order_by(accounts.c.account_id)

        self.update_risk_level = (
            update(accounts)
            .where(accounts.c.account_id == bindparam("b_account_id", type_=String()))
            .values(risk_level=bindparam("b_risk_level", type_=accounts.c.risk_level.type))
        )

        self.insert_cash = insert(cash)
        self.select_cash = select(cash.c.amount).where(cash.c.account_id == account_id)
        self.update_cash = (
            update(cash)
            .where(cash.c.account_id == bindparam("b_account_id", type_=String()))
            .values(amount=bindparam("b_amount", type_=cash.c.amount.type))
        )

        self.select_lots = (
            select(
                lots.c.lot_id,
                lots.c.account_id,
                lots.c.ticker,
                lots.c.quantity,
                lots.c.cost,
                lots.c.acquired,
                lots.c.basis_adjustment,
                lots.c.holding_start,
            )
            .where(lots.c.account_id == account_id)
            .order_by(lots.c.acquired, lots.c.id)
        )
        self.insert_lots = insert(lots)
        self.update_lot = (
            update(lots)
            .where(lots.c.lot_id == bindparam("b_lot_id"))
            .values(
                ticker=bindparam("b_ticker", type_=lots.c.ticker.type),
                quantity=bindparam("b_quantity", type_=lots.c.quantity.type),
                cost=bindparam("b_cost", type_=lots.c.cost.type),
                acquired=bindparam("b_acquired", type_=lots.c.acquired.type),
                basis_adjustment=bindparam(
                    "b_basis_adjustment", type_=lots.c.basis_adjustment.type
                ),
                holding_start=bindparam("b_holding_start", type_=lots.c.holding_start.type),
            )
        )
        self.delete_lots = delete(lots).where(
            lots.c.account_id == account_id,
            lots.c.lot_id.in_(bindparam("lot_ids", expanding=True)),
        )

        self.insert_disposals = insert(disposals)
        disposal_columns = select(
            disposals.c.disposal_id,
            disposals.c.account_id,
            disposals.c.lot_id,
            disposals.c.fill_id,
            disposals.c.ticker,
            disposals.c.quantity,
            disposals.c.acquired,
            disposals.c.sold,
            disposals.c.proceeds,
            disposals.c.cost,
            disposals.c.basis_adjustment,
            disposals.c.tax_acquired,
        ).order_by(disposals.c.sold, disposals.c.id)
        self.select_disposals = disposal_columns.where(disposals.c.account_id == account_id)
        self.select_household_disposals = disposal_columns.join_from(
            disposals, accounts, accounts.c.account_id == disposals.c.account_id
        ).where(accounts.c.household_id == household_id)

        # only the status of a stored order changes, and only within its own account
        self.upsert_order = _upsert(
            backend, orders, ["order_id"], ["status"], same_column="account_id"
        ).returning(orders.c.id)
        order_columns = select(
            orders.c.order_id,
            orders.c.account_id,
            orders.c.ticker,
            orders.c.side,
            orders.c.created,
            orders.c.quantity,
            orders.c.notional,
            orders.c.status,
            orders.c.ticket_id,
            orders.c.limit_price,
            orders.c.lot_ids,
        ).order_by(orders.c.created, orders.c.id)
        self.select_orders = order_columns.where(orders.c.account_id == account_id)
        self.select_open_orders = order_columns.where(
            orders.c.account_id == account_id, orders.c.status.in_(_OPEN_STATUSES)
        )

        self.insert_fills = insert(fills)
        self.select_fills = (
            select(
                fills.c.fill_id,
                fills.c.order_id,
                fills.c.account_id,
                fills.c.ticker,
                fills.c.side,
                fills.c.quantity,
                fills.c.price,
                fills.c.commission,
                fills.c.session,
                fills.c.reference_price,
            )
            .where(fills.c.account_id == account_id)
            .order_by(fills.c.session, fills.c.id)
        )

        self.insert_tickets = insert(tickets)
        self.select_tickets = (
            select(
                tickets.c.ticket_id,
                tickets.c.account_id,
                tickets.c.session,
                tickets.c.ticker,
                tickets.c.side,
                tickets.c.quantity,
                tickets.c.notional,
                tickets.c.reasons,
                tickets.c.limit_price,
                tickets.c.lot_ids,
            )
            .where(tickets.c.account_id == account_id)
            .order_by(tickets.c.session, tickets.c.id)
        )

        self.insert_entries = insert(entries)
        self.insert_postings = insert(postings)
        self.select_entries = (
            select(entries.c.entry_id, entries.c.account_id, entries.c.session, entries.c.memo)
            .where(entries.c.account_id == account_id)
            .order_by(entries.c.session, entries.c.id)
        )
        entry_postings = postings.join(entries, entries.c.entry_id == postings.c.entry_id)
        self.select_postings = (
            select(postings.c.entry_id, postings.c.ledger_account, postings.c.amount)
            .select_from(entry_postings)
            .where(entries.c.account_id == account_id)
            .order_by(postings.c.entry_id, postings.c.position)
        )
        self.select_balances = (
            select(postings.c.ledger_account, func.sum(postings.c.amount))
            .select_from(entry_postings)
            .where(entries.c.account_id == account_id)
            .group_by(postings.c.ledger_account)
            .order_by(postings.c.ledger_account)
        )

        self.insert_audit = insert(audit)
        audit_columns = select(
            audit.c.event_id,
            audit.c.session,
            audit.c.actor,
            audit.c.action,
            audit.c.account_id,
            audit.c.detail,
        ).order_by(audit.c.session, audit.c.id)
        self.select_audit = audit_columns
        self.select_account_audit = audit_columns.where(audit.c.account_id == account_id)

        self.upsert_valuation = _upsert(
            backend, valuations, ["account_id", "session"], ["cash", "market_value"]
        )
        self.select_valuations = (
            select(valuations.c.session, valuations.c.cash, valuations.c.market_value)
            .where(valuations.c.account_id == account_id)
            .order_by(valuations.c.session)
        )

        self.insert_withdrawal = insert(withdrawals)
        withdrawal_columns = select(
            withdrawals.c.withdrawal_id,
            withdrawals.c.account_id,
            withdrawals.c.requested,
            withdrawals.c.amount,
            withdrawals.c.paid,
        )
        self.select_withdrawal = withdrawal_columns.where(
            withdrawals.c.withdrawal_id == bindparam("withdrawal_id", type_=String())
        )
        by_request = (withdrawals.c.requested, withdrawals.c.id)
        self.select_withdrawals = withdrawal_columns.where(
            withdrawals.c.account_id == account_id
        ).order_by(*by_request)
        self.select_pending_withdrawals = withdrawal_columns.where(
            withdrawals.c.account_id == account_id, withdrawals.c.paid.is_(None)
        ).order_by(*by_request)
        self.update_withdrawal_paid = (
            update(withdrawals)
            .where(
                withdrawals.c.withdrawal_id == bindparam("b_withdrawal_id", type_=String()),
                withdrawals.c.paid.is_(None),
            )
            .values(paid=bindparam("b_paid", type_=withdrawals.c.paid.type))
        )

        self.delete_wash_purchases = delete(wash_purchases).where(
            wash_purchases.c.household_id == household_id
        )
        self.insert_wash_purchases = insert(wash_purchases)
        self.select_wash_purchases = (
            select(
                wash_purchases.c.lot_id,
                wash_purchases.c.account_id,
                wash_purchases.c.ticker,
                wash_purchases.c["key"],
                wash_purchases.c.acquired,
                wash_purchases.c.quantity,
                wash_purchases.c.unmatched,
                wash_purchases.c.tax_advantaged,
            )
            .where(wash_purchases.c.household_id == household_id)
            .order_by(wash_purchases.c.acquired, wash_purchases.c.lot_id)
        )
        self.delete_wash_losses = delete(wash_losses).where(
            wash_losses.c.household_id == household_id
        )
        self.insert_wash_losses = insert(wash_losses)
        self.select_wash_losses = (
            select(
                wash_losses.c.disposal_id,
                wash_losses.c.account_id,
                wash_losses.c.lot_id,
                wash_losses.c.ticker,
                wash_losses.c["key"],
                wash_losses.c.sold,
                wash_losses.c.holding_start,
                wash_losses.c.quantity,
                wash_losses.c.loss,
                wash_losses.c.unmatched,
            )
            .where(wash_losses.c.household_id == household_id)
            .order_by(wash_losses.c.sold, wash_losses.c.disposal_id)
        )
        self.insert_wash_sales = insert(wash_sales)
        wash_sale_columns = select(
            wash_sales.c.wash_id,
            wash_sales.c.household_id,
            wash_sales.c.loss_disposal_id,
            wash_sales.c.loss_account_id,
            wash_sales.c.ticker_sold,
            wash_sales.c.sold,
            wash_sales.c.replacement_lot_id,
            wash_sales.c.replacement_account_id,
            wash_sales.c.ticker_bought,
            wash_sales.c.bought,
            wash_sales.c.shares,
            wash_sales.c.disallowed,
            wash_sales.c.permanent,
            wash_sales.c.basis_added,
            wash_sales.c.holding_days,
        ).order_by(wash_sales.c.sold, wash_sales.c.wash_id)
        self.select_wash_sales = wash_sale_columns
        self.select_household_wash_sales = wash_sale_columns.where(
            wash_sales.c.household_id == household_id
        )

        self.insert_model = insert(models)
        model_columns = select(
            models.c.model_id,
            models.c.kind,
            models.c.status,
            models.c.created,
            models.c.train_start,
            models.c.train_end,
            models.c.data_version,
            models.c.params,
            models.c.validation,
        )
        self.select_model = model_columns.where(
            models.c.model_id == bindparam("model_id", type_=String())
        )
        # registration order: the surrogate id
        self.select_all_models_of_kind = model_columns.where(
            models.c.kind == bindparam("kind", type_=String())
        ).order_by(models.c.id)
        self.select_model_kinds = select(models.c.kind).distinct().order_by(models.c.kind)
        self.select_models_of_kind = model_columns.where(
            models.c.kind == bindparam("kind", type_=String()),
            models.c.status == bindparam("status", type_=String()),
        ).order_by(models.c.id)
        # moves a model only from the status it was read in (else no row: a concurrent change)
        self.update_model_status = (
            update(models)
            .where(
                models.c.model_id == bindparam("b_model_id", type_=String()),
                models.c.status == bindparam("b_from", type_=String()),
            )
            .values(status=bindparam("b_to", type_=String()))
        )
        self.insert_model_events = insert(model_events)
        # registry writers queue, as SQLite's BEGIN IMMEDIATE makes every writer queue: each
        # step reads the registry fresh and numbers its events without a race (plain reads pass)
        self.lock_model_registry = (
            text("LOCK TABLE model_events IN EXCLUSIVE MODE") if backend == "postgresql" else None
        )
        self.select_next_model_event = select(
            func.coalesce(func.max(model_events.c.sequence), 0) + 1
        )
        self.select_model_events = (
            select(
                model_events.c.sequence,
                model_events.c.model_id,
                models.c.kind,
                model_events.c.action,
                model_events.c.reason,
            )
            .join_from(model_events, models, models.c.model_id == model_events.c.model_id)
            .where(models.c.kind == bindparam("kind", type_=String()))
            .order_by(model_events.c.sequence)
        )


def _explain(exc: SQLAlchemyError) -> str:
    """One line; SQLite does not say which foreign key failed, so say what they are."""
    text = describe_error(exc)
    if text.startswith("FOREIGN KEY constraint failed"):
        text += (
            " (a record refers to one that is not stored: its account, a fill's order, "
            "a disposal's fill, an order's ticket or a household)"
        )
    return text


def _store_op(
    what: str,
) -> Callable[
    [Callable[Concatenate[UnitOfWork, _P], _R]], Callable[Concatenate[UnitOfWork, _P], _R]
]:
    """Turn database errors into one-line StoreErrors; ``what`` may use ``{0}`` (first arg)."""

    def decorate(
        method: Callable[Concatenate[UnitOfWork, _P], _R],
    ) -> Callable[Concatenate[UnitOfWork, _P], _R]:
        @functools.wraps(method)
        def guarded(self: UnitOfWork, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return method(self, *args, **kwargs)
            except StatementError as exc:
                if isinstance(exc.orig, MicrofolioError):
                    raise exc.orig from exc
                raise StoreError(f"could not {what.format(*args)}: {_explain(exc)}") from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"could not {what.format(*args)}: {_explain(exc)}") from exc

        return guarded

    return decorate


#: a record, the status it moves to, and the event logged: action, reason, champion replaced
_ModelChange = tuple[ModelRecord, ModelStatus, RegistryAction, str, str | None]


def _check_reason(reason: object) -> None:
    """The registry's reason check (as ``microfolio.signals.monitor`` words it)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvariantError(f"reason must be a non-empty string, got {reason!r}")


class UnitOfWork:
    """One transaction: commit on a clean exit from ``with``, roll back on any exception.

    Reads see the writes made earlier in the same unit of work. A unit of work runs once.
    """

    def __init__(self, engine: Engine, sql: _Sql) -> None:
        self._engine = engine
        self._sql = sql
        self._connection: Connection | None = None
        self._used = False

    # -- transaction ------------------------------------------------------------------------

    def __enter__(self) -> UnitOfWork:
        if self._used:
            raise StoreError("a unit of work runs once: ask the store for a new one")
        self._used = True
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot connect to {safe_url(self._engine.url)}: {describe_error(exc)}"
            ) from exc
        try:
            connection.begin()
        except SQLAlchemyError as exc:
            connection.close()
            raise StoreError(
                f"cannot begin a transaction on {safe_url(self._engine.url)}: {describe_error(exc)}"
            ) from exc
        self._connection = connection
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if exc_type is None:
                try:
                    connection.commit()
                except SQLAlchemyError as error:
                    # SQLAlchemy counts the transaction as ended, but SQLite keeps it open after
                    # a failed COMMIT (a deferred foreign key): discard the connection instead of
                    # handing it back to the pool mid-transaction
                    with contextlib.suppress(SQLAlchemyError):
                        connection.invalidate()
                    raise StoreError(
                        f"could not commit the unit of work: {_explain(error)}"
                    ) from error
            else:
                # a failing rollback must not hide the exception that caused it
                with contextlib.suppress(SQLAlchemyError):
                    connection.rollback()
        finally:
            connection.close()

    @property
    def _conn(self) -> Connection:
        if self._connection is None:
            raise StoreError(
                "the unit of work is not open: use it as `with store.unit_of_work() as uow:`"
            )
        return self._connection

    # -- assets, households, accounts ---------------------------------------------------------

    @_store_op("add assets")
    def add_assets(self, assets: Iterable[Asset]) -> None:
        """Insert new assets and update the ones already stored (by ticker)."""
        values = [rows.asset_row(asset) for asset in assets]
        if values:
            self._conn.execute(self._sql.upsert_assets, values)

    @_store_op("read assets")
    def assets(self) -> tuple[Asset, ...]:
        """Every asset, by ticker."""
        return tuple(
            rows.asset_from_row(row) for row in self._conn.execute(self._sql.select_assets)
        )

    @_store_op("add a household")
    def add_household(self, household: Household) -> None:
        conn = self._conn
        found = conn.execute(self._sql.household_exists, {"household_id": household.household_id})
        if found.first() is not None:
            raise StoreError(f"household {household.household_id} already exists")
        conn.execute(self._sql.insert_household, rows.household_row(household))

    @_store_op("read households")
    def households(self) -> tuple[Household, ...]:
        """Every household, by id."""
        result = self._conn.execute(self._sql.select_households)
        return tuple(rows.household_from_row(row) for row in result)

    @_store_op("add an account")
    def add_account(self, account: Account) -> None:
        """Store a new account of an existing household, with a cash balance of 0."""
        conn = self._conn
        found = conn.execute(self._sql.household_exists, {"household_id": account.household_id})
        if found.first() is None:
            raise NotFoundError(
                f"household {account.household_id} of account {account.account_id} not found"
            )
        if conn.execute(self._sql.select_account, {"account_id": account.account_id}).first():
            raise StoreError(f"account {account.account_id} already exists")
        conn.execute(self._sql.insert_account, rows.account_row(account))
        conn.execute(self._sql.insert_cash, {"account_id": account.account_id, "amount": ZERO})

    @_store_op("read account {0}")
    def account(self, account_id: str) -> Account:
        row = self._conn.execute(self._sql.select_account, {"account_id": account_id}).first()
        if row is None:
            raise NotFoundError(f"account {account_id} not found")
        return rows.account_from_row(row)

    @_store_op("read accounts")
    def accounts(self, household_id: str | None = None) -> tuple[Account, ...]:
        """Every account (of one household when ``household_id`` is given), by id."""
        if household_id is None:
            result = self._conn.execute(self._sql.select_accounts)
        else:
            result = self._conn.execute(
                self._sql.select_household_accounts, {"household_id": household_id}
            )
        return tuple(rows.account_from_row(row) for row in result)

    @_store_op("set the risk level of account {0}")
    def set_risk_level(self, account_id: str, level: int | None) -> Account:
        """Give the account a risk level (None: none, as before onboarding); returns the
        account as stored now. The level is checked as ``Account`` checks it."""
        conn = self._conn
        row = conn.execute(self._sql.select_account, {"account_id": account_id}).first()
        if row is None:
            raise NotFoundError(f"account {account_id} not found")
        account = replace(rows.account_from_row(row), risk_level=level)
        conn.execute(
            self._sql.update_risk_level, {"b_account_id": account_id, "b_risk_level": level}
        )
        return account

    # -- cash --------------------------------------------------------------------------------

    @_store_op("read the cash of account {0}")
    def cash(self, account_id: str) -> Decimal:
        amount = self._conn.execute(self._sql.select_cash, {"account_id": account_id}).scalar()
        if amount is None:
            raise NotFoundError(f"account {account_id} not found")
        return Decimal(amount)

    @_store_op("set the cash of account {0}")
    def set_cash(self, account_id: str, amount: Decimal) -> None:
        rows.check_money(amount, f"account {account_id}: cash")
        result = self._conn.execute(
            self._sql.update_cash, {"b_account_id": account_id, "b_amount": amount}
        )
        if result.rowcount == 0:
            raise NotFoundError(f"account {account_id} not found")

    # -- lots and disposals --------------------------------------------------------------------

    @_store_op("read the lots of account {0}")
    def lots(self, account_id: str) -> tuple[Lot, ...]:
        """The open lots, oldest first (by acquisition date, then the order they were stored)."""
        result = self._conn.execute(self._sql.select_lots, {"account_id": account_id})
        return tuple(rows.lot_from_row(row) for row in result)

    @_store_op("replace the lots of account {0}")
    def replace_lots(self, account_id: str, lots: Sequence[Lot]) -> None:
        """Make the account's open lots exactly ``lots``.

        Lots are matched by ``lot_id``: new ones are inserted (in the given order, after the
        stored ones), changed ones updated in place (keeping their place), missing ones deleted.
        """
        wanted: dict[str, tuple[Lot, dict[str, Any]]] = {}
        for lot in lots:
            if lot.account_id != account_id:
                raise StoreError(
                    f"lot {lot.lot_id} belongs to account {lot.account_id}, not {account_id}"
                )
            if lot.lot_id in wanted:
                raise StoreError(f"lot {lot.lot_id} is given twice for account {account_id}")
            wanted[lot.lot_id] = (lot, rows.lot_row(lot))
        conn = self._conn
        stored = {
            lot.lot_id: lot
            for lot in map(
                rows.lot_from_row,
                conn.execute(self._sql.select_lots, {"account_id": account_id}),
            )
        }
        gone = [lot_id for lot_id in stored if lot_id not in wanted]
        changed = []
        new = []
        for lot_id, (lot, row) in wanted.items():
            old = stored.get(lot_id)
            if old is None:
                new.append(row)
            elif old != lot:
                changed.append({f"b_{key}": value for key, value in row.items()})
        if gone:
            conn.execute(self._sql.delete_lots, {"account_id": account_id, "lot_ids": gone})
        if changed:
            conn.execute(self._sql.update_lot, changed)
        if new:
            conn.execute(self._sql.insert_lots, new)

    @_store_op("add disposals")
    def add_disposals(self, disposals: Iterable[Disposal]) -> None:
        values = [rows.disposal_row(disposal) for disposal in disposals]
        if values:
            self._conn.execute(self._sql.insert_disposals, values)

    @_store_op("read the disposals of account {0}")
    def disposals(self, account_id: str) -> tuple[Disposal, ...]:
        """Closed lot parts, by sale date then the order they were stored."""
        result = self._conn.execute(self._sql.select_disposals, {"account_id": account_id})
        return tuple(rows.disposal_from_row(row) for row in result)

    @_store_op("read the disposals of household {0}")
    def disposals_of_household(self, household_id: str) -> tuple[Disposal, ...]:
        """Closed lot parts of every account of the household, by sale date then storage order."""
        result = self._conn.execute(
            self._sql.select_household_disposals, {"household_id": household_id}
        )
        return tuple(rows.disposal_from_row(row) for row in result)

    # -- orders, fills, tickets ----------------------------------------------------------------

    @_store_op("save an order")
    def save_order(self, order: Order) -> None:
        """Insert the order, or update the status of the stored order with its id."""
        written = self._conn.execute(self._sql.upsert_order, rows.order_row(order)).first()
        if written is None:
            raise StoreError(
                f"order {order.order_id} is stored for another account than {order.account_id}"
            )

    @_store_op("read the open orders of account {0}")
    def open_orders(self, account_id: str) -> tuple[Order, ...]:
        """Orders not yet filled, cancelled or rejected, oldest first."""
        result = self._conn.execute(self._sql.select_open_orders, {"account_id": account_id})
        return tuple(rows.order_from_row(row) for row in result)

    @_store_op("read the orders of account {0}")
    def orders(self, account_id: str) -> tuple[Order, ...]:
        """Every order, oldest first."""
        result = self._conn.execute(self._sql.select_orders, {"account_id": account_id})
        return tuple(rows.order_from_row(row) for row in result)

    @_store_op("add fills")
    def add_fills(self, fills: Iterable[Fill]) -> None:
        values = [rows.fill_row(fill) for fill in fills]
        if values:
            self._conn.execute(self._sql.insert_fills, values)

    @_store_op("read the fills of account {0}")
    def fills(self, account_id: str) -> tuple[Fill, ...]:
        """Fills by session, then the order they were stored."""
        result = self._conn.execute(self._sql.select_fills, {"account_id": account_id})
        return tuple(rows.fill_from_row(row) for row in result)

    @_store_op("add trade tickets")
    def add_tickets(self, tickets: Iterable[TradeTicket]) -> None:
        values = [rows.ticket_row(ticket) for ticket in tickets]
        if values:
            self._conn.execute(self._sql.insert_tickets, values)

    @_store_op("read the trade tickets of account {0}")
    def tickets(self, account_id: str) -> tuple[TradeTicket, ...]:
        """Tickets by session, then the order they were stored."""
        result = self._conn.execute(self._sql.select_tickets, {"account_id": account_id})
        return tuple(rows.ticket_from_row(row) for row in result)

    # -- journal -------------------------------------------------------------------------------

    @_store_op("add journal entries")
    def add_journal_entries(self, entries: Iterable[JournalEntry]) -> None:
        heads: list[dict[str, Any]] = []
        postings: list[dict[str, Any]] = []
        for entry in entries:
            head, lines = rows.journal_entry_rows(entry)
            heads.append(head)
            postings.extend(lines)
        if heads:
            self._conn.execute(self._sql.insert_entries, heads)
            self._conn.execute(self._sql.insert_postings, postings)

    @_store_op("read the journal balances of account {0}")
    def journal_balances(self, account_id: str) -> dict[str, Decimal]:
        """Each ledger account's balance (the sum of its postings), by ledger account name."""
        result = self._conn.execute(self._sql.select_balances, {"account_id": account_id})
        return {name: Decimal(total) for name, total in result}

    @_store_op("read the journal of account {0}")
    def journal_entries(self, account_id: str) -> tuple[JournalEntry, ...]:
        """Journal entries by session, then the order they were stored."""
        conn = self._conn
        params = {"account_id": account_id}
        lines: dict[str, list[tuple[str, Decimal]]] = {}
        for entry_id, ledger_account, amount in conn.execute(self._sql.select_postings, params):
            lines.setdefault(entry_id, []).append((ledger_account, amount))
        return tuple(
            rows.journal_entry_from_rows(head, lines.get(head[0], []))
            for head in conn.execute(self._sql.select_entries, params)
        )

    # -- withdrawals ---------------------------------------------------------------------------

    @_store_op("add a withdrawal")
    def add_withdrawal(self, withdrawal: Withdrawal) -> None:
        """Record a withdrawal of a stored account (pending, or paid when it says so)."""
        conn = self._conn
        what = withdrawal.withdrawal_id
        account = conn.execute(self._sql.select_account, {"account_id": withdrawal.account_id})
        if account.first() is None:
            raise NotFoundError(f"account {withdrawal.account_id} of withdrawal {what} not found")
        if conn.execute(self._sql.select_withdrawal, {"withdrawal_id": what}).first() is not None:
            raise StoreError(f"withdrawal {what} already exists")
        conn.execute(self._sql.insert_withdrawal, rows.withdrawal_row(withdrawal))

    @_store_op("read the pending withdrawals of account {0}")
    def pending_withdrawals(self, account_id: str) -> tuple[Withdrawal, ...]:
        """The account's unpaid withdrawals, oldest request first (then the order stored)."""
        result = self._conn.execute(
            self._sql.select_pending_withdrawals, {"account_id": account_id}
        )
        return tuple(rows.withdrawal_from_row(row) for row in result)

    @_store_op("read the withdrawals of account {0}")
    def withdrawals(self, account_id: str) -> tuple[Withdrawal, ...]:
        """Every withdrawal of the account, paid or not, oldest request first."""
        result = self._conn.execute(self._sql.select_withdrawals, {"account_id": account_id})
        return tuple(rows.withdrawal_from_row(row) for row in result)

    @_store_op("mark withdrawal {0} paid")
    def mark_withdrawal_paid(self, withdrawal_id: str, session: date) -> Withdrawal:
        """Record that the withdrawal was paid on ``session``; returns it as stored now.

        An unknown id is a NotFoundError, one already paid a StoreError; a session before the
        request is refused as ``Withdrawal`` refuses it."""
        conn = self._conn
        row = conn.execute(self._sql.select_withdrawal, {"withdrawal_id": withdrawal_id}).first()
        if row is None:
            raise NotFoundError(f"withdrawal {withdrawal_id} not found")
        stored = rows.withdrawal_from_row(row)
        if stored.paid is not None:
            raise StoreError(f"withdrawal {withdrawal_id} was already paid on {stored.paid}")
        paid = stored.paid_on(session)
        conn.execute(
            self._sql.update_withdrawal_paid, {"b_withdrawal_id": withdrawal_id, "b_paid": session}
        )
        return paid

    # -- wash sales ----------------------------------------------------------------------------

    @_store_op("replace the wash-sale window of household {0}")
    def replace_wash_window(
        self, household_id: str, purchases: Sequence[Purchase], losses: Sequence[LossSale]
    ) -> None:
        """Make the household's wash-sale window exactly ``purchases`` and ``losses``.

        Every entry must be in an account of the household, and name its lot (a purchase) or
        its disposal (a loss sale) once.
        """
        conn = self._conn
        params = {"household_id": household_id}
        if conn.execute(self._sql.household_exists, params).first() is None:
            raise NotFoundError(f"household {household_id} not found")
        accounts = {row[0] for row in conn.execute(self._sql.select_household_accounts, params)}
        purchase_rows: dict[str, dict[str, Any]] = {}
        for purchase in purchases:
            if purchase.account_id not in accounts:
                raise StoreError(
                    f"wash-sale purchase {purchase.lot_id}: account {purchase.account_id} "
                    f"is not an account of household {household_id}"
                )
            if purchase.lot_id in purchase_rows:
                raise StoreError(
                    f"wash-sale purchase {purchase.lot_id} is given twice for household "
                    f"{household_id}"
                )
            purchase_rows[purchase.lot_id] = rows.purchase_row(household_id, purchase)
        loss_rows: dict[str, dict[str, Any]] = {}
        for loss in losses:
            if loss.account_id not in accounts:
                raise StoreError(
                    f"wash-sale loss {loss.disposal_id}: account {loss.account_id} "
                    f"is not an account of household {household_id}"
                )
            if loss.disposal_id in loss_rows:
                raise StoreError(
                    f"wash-sale loss {loss.disposal_id} is given twice for household {household_id}"
                )
            loss_rows[loss.disposal_id] = rows.loss_sale_row(household_id, loss)
        conn.execute(self._sql.delete_wash_purchases, params)
        conn.execute(self._sql.delete_wash_losses, params)
        if purchase_rows:
            conn.execute(self._sql.insert_wash_purchases, list(purchase_rows.values()))
        if loss_rows:
            conn.execute(self._sql.insert_wash_losses, list(loss_rows.values()))

    @_store_op("read the wash-sale window of household {0}")
    def wash_window(self, household_id: str) -> tuple[tuple[Purchase, ...], tuple[LossSale, ...]]:
        """The household's window: purchases by acquisition date then lot id, and loss sales by
        sale date then disposal id (empty for a household never given one)."""
        conn = self._conn
        params = {"household_id": household_id}
        purchases = tuple(
            rows.purchase_from_row(row)
            for row in conn.execute(self._sql.select_wash_purchases, params)
        )
        losses = tuple(
            rows.loss_sale_from_row(row)
            for row in conn.execute(self._sql.select_wash_losses, params)
        )
        return purchases, losses

    @_store_op("add wash sales")
    def add_wash_sales(self, washes: Iterable[WashSale]) -> None:
        """Record wash sales found (each ``wash_id`` once, its household stored)."""
        values = [rows.wash_sale_row(wash) for wash in washes]
        if values:
            self._conn.execute(self._sql.insert_wash_sales, values)

    @_store_op("read wash sales")
    def wash_sales(self, household_id: str | None = None) -> tuple[WashSale, ...]:
        """Wash sales by sale date then wash id (of one household when given)."""
        if household_id is None:
            result = self._conn.execute(self._sql.select_wash_sales)
        else:
            result = self._conn.execute(
                self._sql.select_household_wash_sales, {"household_id": household_id}
            )
        return tuple(rows.wash_sale_from_row(row) for row in result)

    # -- model registry ------------------------------------------------------------------------
    # The rules of microfolio.signals.monitor.InMemoryRegistry, errors and messages alike;
    # ``session`` (optional) is recorded with each event, never read back into it.

    @_store_op("register a model")
    def register_model(self, record: ModelRecord, session: date | None = None) -> None:
        """Add a new model as a challenger (any other status, or a known id, is refused)."""
        if not isinstance(record, ModelRecord):
            raise InvariantError(f"record must be a ModelRecord, got {type(record).__name__}")
        conn = self._conn
        self._lock_model_registry()
        if conn.execute(self._sql.select_model, {"model_id": record.model_id}).first():
            raise InvariantError(f"model_id {record.model_id!r} is already registered")
        if record.status is not ModelStatus.CHALLENGER:
            raise IllegalTransitionError(
                f"model {record.model_id!r} must be registered as a challenger, got {record.status}"
            )
        row = rows.model_record_row(record)
        event = RegistryEvent(
            self._next_model_event(),
            record.model_id,
            record.kind,
            RegistryAction.REGISTERED,
            "registered as a challenger",
        )
        conn.execute(self._sql.insert_model, row)
        conn.execute(self._sql.insert_model_events, [rows.model_event_row(event, session, None)])

    @_store_op("read model {0!r}")
    def model(self, model_id: str) -> ModelRecord:
        """Any registered model, whatever its status."""
        row = None
        if isinstance(model_id, str):
            row = self._conn.execute(self._sql.select_model, {"model_id": model_id}).first()
        if row is None:
            raise NotFoundError(f"model_id {model_id!r} is not registered")
        return rows.model_record_from_row(row)

    @_store_op("read the champion of kind {0!r}")
    def champion_model(self, kind: str) -> ModelRecord | None:
        """The kind's champion, or None."""
        found = self._models_of(kind, ModelStatus.CHAMPION)
        return found[0] if found else None

    @_store_op("read the challengers of kind {0!r}")
    def challenger_models(self, kind: str) -> tuple[ModelRecord, ...]:
        """The kind's challengers, in registration order."""
        return self._models_of(kind, ModelStatus.CHALLENGER)

    @_store_op("promote model {0!r}")
    def promote_model(self, model_id: str, reason: str, session: date | None = None) -> ModelRecord:
        """Make a challenger its kind's champion, retiring the previous champion (if any) in
        the same step; returns the promoted record."""
        _check_reason(reason)
        self._lock_model_registry()
        record = self.model(model_id)
        if record.status is not ModelStatus.CHALLENGER:
            raise IllegalTransitionError(
                f"model {model_id!r} is {record.status}: only a challenger can be promoted"
            )
        previous = self.champion_model(record.kind)
        changes: list[_ModelChange] = []
        if previous is not None:
            replaced = f"replaced by {model_id!r}: {reason}"
            changes.append((previous, ModelStatus.RETIRED, RegistryAction.RETIRED, replaced, None))
        champion_before = None if previous is None else previous.model_id
        changes.append(
            (record, ModelStatus.CHAMPION, RegistryAction.PROMOTED, reason, champion_before)
        )
        return self._apply_model_changes(changes, session)

    @_store_op("retire model {0!r}")
    def retire_model(self, model_id: str, reason: str, session: date | None = None) -> ModelRecord:
        """Retire a challenger or the champion (the kind then has none); returns the record."""
        _check_reason(reason)
        self._lock_model_registry()
        record = self.model(model_id)
        if record.status is ModelStatus.RETIRED:
            raise IllegalTransitionError(f"model {model_id!r} is already retired")
        return self._apply_model_changes(
            [(record, ModelStatus.RETIRED, RegistryAction.RETIRED, reason, None)], session
        )

    @_store_op("read the model kinds")
    def model_kinds(self) -> tuple[str, ...]:
        """Every kind with a registered model, in alphabetical order."""
        return tuple(str(row.kind) for row in self._conn.execute(self._sql.select_model_kinds))

    @_store_op("read the models of kind {0!r}")
    def models(self, kind: str) -> tuple[ModelRecord, ...]:
        """Every model of the kind, whatever its status, in registration order."""
        result = self._conn.execute(self._sql.select_all_models_of_kind, {"kind": kind})
        return tuple(rows.model_record_from_row(row) for row in result)

    @_store_op("read the model history of kind {0!r}")
    def model_history(self, kind: str) -> tuple[RegistryEvent, ...]:
        """Every registration, promotion and retirement of the kind, oldest first."""
        result = self._conn.execute(self._sql.select_model_events, {"kind": kind})
        return tuple(rows.model_event_from_row(row) for row in result)

    def _models_of(self, kind: str, status: ModelStatus) -> tuple[ModelRecord, ...]:
        result = self._conn.execute(
            self._sql.select_models_of_kind, {"kind": kind, "status": status.value}
        )
        return tuple(rows.model_record_from_row(row) for row in result)

    def _lock_model_registry(self) -> None:
        """Wait for other registry writers (PostgreSQL; SQLite writers already queue)."""
        if self._sql.lock_model_registry is not None:
            self._conn.execute(self._sql.lock_model_registry)

    def _next_model_event(self) -> int:
        """The sequence number of the next registry event (one sequence across kinds)."""
        return int(self._conn.execute(self._sql.select_next_model_event).scalar_one())

    def _apply_model_changes(
        self, changes: Sequence[_ModelChange], session: date | None
    ) -> ModelRecord:
        """Move each record to its new status and log each step, in order; every event is
        built (and so checked) before anything is written. Returns the last record moved."""
        conn = self._conn
        first = self._next_model_event()
        events = [
            rows.model_event_row(
                RegistryEvent(first + offset, record.model_id, record.kind, action, reason),
                session,
                previous,
            )
            for offset, (record, _, action, reason, previous) in enumerate(changes)
        ]
        updated = changes[0][0]
        for record, status, *_ in changes:
            moved = conn.execute(
                self._sql.update_model_status,
                {
                    "b_model_id": record.model_id,
                    "b_from": record.status.value,
                    "b_to": status.value,
                },
            )
            if moved.rowcount != 1:
                raise StoreError(
                    f"model {record.model_id!r} is no longer {record.status}: "
                    "it was changed concurrently"
                )
            updated = record.with_status(status)
        conn.execute(self._sql.insert_model_events, events)
        return updated

    # -- audit and valuations ------------------------------------------------------------------

    @_store_op("add audit events")
    def add_audit_events(self, events: Iterable[AuditEvent]) -> None:
        values = [rows.audit_event_row(event) for event in events]
        if values:
            self._conn.execute(self._sql.insert_audit, values)

    @_store_op("read audit events")
    def audit_events(self, account_id: str | None = None) -> tuple[AuditEvent, ...]:
        """Audit events by session then the order they were stored (of one account if given)."""
        if account_id is None:
            result = self._conn.execute(self._sql.select_audit)
        else:
            result = self._conn.execute(self._sql.select_account_audit, {"account_id": account_id})
        return tuple(rows.audit_event_from_row(row) for row in result)

    @_store_op("add a valuation of account {0}")
    def add_valuation(
        self, account_id: str, session: date, cash: Decimal, market_value: Decimal
    ) -> None:
        """Record the account's cash and market value at a session's close (replacing any)."""
        self._conn.execute(
            self._sql.upsert_valuation, rows.valuation_row(account_id, session, cash, market_value)
        )

    @_store_op("read the valuations of account {0}")
    def valuations(self, account_id: str) -> list[tuple[date, Decimal, Decimal]]:
        """``(session, cash, market value)`` by session."""
        result = self._conn.execute(self._sql.select_valuations, {"account_id": account_id})
        return [(session, cash, market_value) for session, cash, market_value in result]


class Store:
    """A SQL database holding accounts, lots, orders, fills, the journal and the audit trail.

    The constructor connects once, so a bad URL or an unreachable server fails here with a
    one-line :class:`~microfolio.errors.StoreError`.
    """

    def __init__(self, url: str) -> None:
        self._engine = make_engine(url)
        try:
            with self._engine.connect():
                pass
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(
                f"cannot connect to {safe_url(self._engine.url)}: {describe_error(exc)}"
            ) from exc
        self._sql = _Sql(self._engine.dialect.name)

    @classmethod
    def open(cls, url: str | None = None, *, default_sqlite_path: Path | None = None) -> Store:
        """Open ``url``, else ``$MICROFOLIO_DATABASE_URL``, else the SQLite file given."""
        return cls(resolve_url(url, default_sqlite_path=default_sqlite_path))

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return safe_url(self._engine.url)

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (``alembic upgrade head``)."""
        upgrade(self._engine)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work; enter it with ``with``."""
        return UnitOfWork(self._engine, self._sql)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"
