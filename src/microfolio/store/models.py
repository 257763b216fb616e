"""The SQL schema as typed SQLAlchemy models.

Rows are persistence only: the unit of work turns them into domain objects and back, and nothing
outside :mod:`microfolio.store` sees them. Money is ``NUMERIC(20, 2)``, quantities
``NUMERIC(24, 6)`` and prices ``NUMERIC(20, 4)`` (see :mod:`microfolio.store.types` for how SQLite
keeps them exact). Tables whose rows are listed in insertion order carry a surrogate integer
``id``; the domain identifier is a unique column next to it.

Tickers are not foreign keys to ``assets``: the market data is the authority on what can be
traded, and the asset catalogue need not list every ticker an account ever held.

References between records written in the same unit of work (order -> ticket, fill -> order,
disposal -> fill) are checked at commit (``DEFERRABLE INITIALLY DEFERRED``), so the order of the
``add_*`` calls inside one transaction does not matter. A journal entry's postings balance by
construction of :class:`~microfolio.domain.JournalEntry`; the store keeps them as given.

Columns added after the first release (migration 0002) carry a server default, so rows written
before it read back with the domain's defaults: no wash-sale adjustment, no carried holding
period, FIFO lot relief, no limit price, no named lots. The wash-sale tables keep a household's
window (``wash_purchases``, ``wash_losses``: replaced as a whole) and the wash sales found
(``wash_sales``: appended); their account and lot ids are not foreign keys, like a disposal's
``lot_id``, since they outlive the lots they name.

``accounts.risk_level`` (migration 0003) is null until the account is onboarded.

``withdrawals`` (migration 0004) keeps every client withdrawal: requested on a session, paid on a
later (or the same) one, or still pending (``paid`` null).

``model_records`` and ``model_events`` (migration 0005) are the model registry
(:class:`~microfolio.store.model_registry.SqlModelRegistry`): each trained model with its
status, and the registry's append-only history. ``params`` and ``validation`` are JSON text, kept
verbatim so floats and key order read back exactly; a partial unique index allows one champion
per kind. The status and action values are spelled out here, as in the migration, so that
importing the schema does not import :mod:`microfolio.signals`; a test holds them equal to
:class:`~microfolio.signals.monitor.ModelStatus` and
:class:`~microfolio.signals.monitor.RegistryAction`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from microfolio.domain import MAX_RISK_LEVEL
from microfolio.store.types import Money, Price, Quantity

__all__ = [
    "MODEL_STATUSES",
    "NAMING_CONVENTION",
    "REGISTRY_ACTIONS",
    "AccountRow",
    "AssetRow",
    "AuditEventRow",
    "Base",
    "CashBalanceRow",
    "DisposalRow",
    "FillRow",
    "HouseholdRow",
    "JournalEntryRow",
    "LotRow",
    "ModelEventRow",
    "ModelRecordRow",
    "OrderRow",
    "PostingRow",
    "TicketRow",
    "ValuationRow",
    "WashLossRow",
    "WashPurchaseRow",
    "WashSaleRow",
    "WithdrawalRow",
    "table_of",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(128)
NAME = String(128)
# BIGSERIAL on PostgreSQL; INTEGER PRIMARY KEY (the rowid) on SQLite
SURROGATE = BigInteger().with_variant(Integer(), "sqlite")

SIDES = ("buy", "sell")
ORDER_STATUSES = ("new", "accepted", "partially_filled", "filled", "cancelled", "rejected")
ACCOUNT_TYPES = ("taxable", "traditional_ira", "roth_ira")
LOT_METHODS = ("fifo", "hifo", "specific", "tax_min")
MODEL_STATUSES = ("champion", "challenger", "retired")
REGISTRY_ACTIONS = ("registered", "promoted", "retired")

# server defaults of the columns migration 0002 added to existing tables
ZERO_DEFAULT = text("0")
EMPTY_LIST_DEFAULT = text("'[]'")
# the rows the partial unique index "one champion per kind" covers
CHAMPION_ONLY = text("status = 'champion'")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _deferred(target: str) -> ForeignKey:
    return ForeignKey(target, deferrable=True, initially="DEFERRED")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model (for bulk statements)."""
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - every model here maps a Table
        raise TypeError(f"{model.__name__} is not mapped to a Table")
    return table


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (CheckConstraint("tlh_rank >= 1", name="tlh_rank_positive"),)

    ticker: Mapped[str] = mapped_column(String(32), primary_key=True)
    asset_class: Mapped[str] = mapped_column(NAME)
    tlh_rank: Mapped[int] = mapped_column(Integer)
    tracks: Mapped[str] = mapped_column(NAME)


class HouseholdRow(Base):
    __tablename__ = "households"

    household_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(_one_of("account_type", ACCOUNT_TYPES), name="account_type"),
        CheckConstraint(_one_of("lot_method", LOT_METHODS), name="lot_method"),
        CheckConstraint(
            f"risk_level >= 0 AND risk_level <= {MAX_RISK_LEVEL}", name="risk_level_in_range"
        ),
    )

    account_id: Mapped[str] = mapped_column(ID, primary_key=True)
    household_id: Mapped[str] = mapped_column(ID, ForeignKey("households.household_id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    account_type: Mapped[str] = mapped_column(String(32))
    fractional: Mapped[bool] = mapped_column(Boolean)
    lot_method: Mapped[str] = mapped_column(String(32), server_default=LOT_METHODS[0])
    risk_level: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CashBalanceRow(Base):
    __tablename__ = "cash_balances"

    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money())


class LotRow(Base):
    """An open tax lot: remaining quantity, its total cost basis and its tax overlay."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("lot_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        Index(None, "account_id", "acquired"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    lot_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    ticker: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    cost: Mapped[Decimal] = mapped_column(Money())
    acquired: Mapped[date] = mapped_column(Date)
    basis_adjustment: Mapped[Decimal] = mapped_column(Money(), server_default=ZERO_DEFAULT)
    holding_start: Mapped[date | None] = mapped_column(Date)


class TicketRow(Base):
    """A trade ticket; its reasons are a JSON list of ``{kind, detail, figures}``.

    ``lot_ids`` (here and on orders) is a JSON list of lot ids, in the order they are relieved.
    """

    __tablename__ = "trade_tickets"
    __table_args__ = (
        UniqueConstraint("ticket_id"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
        CheckConstraint("(quantity IS NULL) <> (notional IS NULL)", name="one_size"),
        Index(None, "account_id", "session"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    session: Mapped[date] = mapped_column(Date)
    ticker: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    notional: Mapped[Decimal | None] = mapped_column(Money())
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    limit_price: Mapped[Decimal | None] = mapped_column(Price())
    lot_ids: Mapped[list[str]] = mapped_column(JSON, server_default=EMPTY_LIST_DEFAULT)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("order_id"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint("(quantity IS NULL) <> (notional IS NULL)", name="one_size"),
        Index(None, "account_id", "status"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    ticker: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    created: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    notional: Mapped[Decimal | None] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[str | None] = mapped_column(
        ID, _deferred("trade_tickets.ticket_id"), index=True
    )
    limit_price: Mapped[Decimal | None] = mapped_column(Price())
    lot_ids: Mapped[list[str]] = mapped_column(JSON, server_default=EMPTY_LIST_DEFAULT)


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (
        UniqueConstraint("fill_id"),
        CheckConstraint(_one_of("side", SIDES), name="side"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index(None, "account_id", "session"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    fill_id: Mapped[str] = mapped_column(ID)
    order_id: Mapped[str] = mapped_column(ID, _deferred("orders.order_id"), index=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    ticker: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    price: Mapped[Decimal] = mapped_column(Price())
    commission: Mapped[Decimal] = mapped_column(Money())
    session: Mapped[date] = mapped_column(Date)
    reference_price: Mapped[Decimal] = mapped_column(Price())


class DisposalRow(Base):
    """A closed part of a lot. ``lot_id`` is not a foreign key: a used-up lot is deleted."""

    __tablename__ = "disposals"
    __table_args__ = (
        UniqueConstraint("disposal_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index(None, "account_id", "sold"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    disposal_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    lot_id: Mapped[str] = mapped_column(ID)
    fill_id: Mapped[str] = mapped_column(ID, _deferred("fills.fill_id"), index=True)
    ticker: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    acquired: Mapped[date] = mapped_column(Date)
    sold: Mapped[date] = mapped_column(Date)
    proceeds: Mapped[Decimal] = mapped_column(Money())
    cost: Mapped[Decimal] = mapped_column(Money())
    basis_adjustment: Mapped[Decimal] = mapped_column(Money(), server_default=ZERO_DEFAULT)
    tax_acquired: Mapped[date | None] = mapped_column(Date)


class JournalEntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("entry_id"), Index(None, "account_id", "session"))

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    session: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text)


class PostingRow(Base):
    """One line of a journal entry: debits positive, credits negative."""

    __tablename__ = "journal_postings"

    entry_id: Mapped[str] = mapped_column(
        ID, ForeignKey("journal_entries.entry_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ledger_account: Mapped[str] = mapped_column(NAME)
    amount: Mapped[Decimal] = mapped_column(Money())


class AuditEventRow(Base):
    """An audit event. ``account_id`` is not a foreign key: refusals of unknown accounts count."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("event_id"), Index(None, "account_id", "session"))

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ID)
    session: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(NAME)
    action: Mapped[str] = mapped_column(NAME)
    account_id: Mapped[str | None] = mapped_column(ID)
    detail: Mapped[str] = mapped_column(Text)


class ValuationRow(Base):
    """An account's cash and market value at the close of one session."""

    __tablename__ = "valuations"

    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), primary_key=True)
    session: Mapped[date] = mapped_column(Date, primary_key=True)
    cash: Mapped[Decimal] = mapped_column(Money())
    market_value: Mapped[Decimal] = mapped_column(Money())


class WashPurchaseRow(Base):
    """A purchase in a household's wash-sale window.

    See :class:`~microfolio.tax.wash_records.Purchase`.
    """

    __tablename__ = "wash_purchases"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unmatched >= 0 AND unmatched <= quantity", name="unmatched_in_range"),
        Index(None, "household_id", "acquired"),
    )

    lot_id: Mapped[str] = mapped_column(ID, primary_key=True)
    household_id: Mapped[str] = mapped_column(ID, ForeignKey("households.household_id"))
    account_id: Mapped[str] = mapped_column(ID)
    ticker: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(NAME)
    acquired: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unmatched: Mapped[Decimal] = mapped_column(Quantity())
    tax_advantaged: Mapped[bool] = mapped_column(Boolean)


class WashLossRow(Base):
    """A loss sale in a household's wash-sale window.

    See :class:`~microfolio.tax.wash_records.LossSale`.
    """

    __tablename__ = "wash_losses"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unmatched >= 0 AND unmatched <= quantity", name="unmatched_in_range"),
        CheckConstraint("loss > 0", name="loss_positive"),
        Index(None, "household_id", "sold"),
    )

    disposal_id: Mapped[str] = mapped_column(ID, primary_key=True)
    household_id: Mapped[str] = mapped_column(ID, ForeignKey("households.household_id"))
    account_id: Mapped[str] = mapped_column(ID)
    lot_id: Mapped[str] = mapped_column(ID)
    ticker: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(NAME)
    sold: Mapped[date] = mapped_column(Date)
    holding_start: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    loss: Mapped[Decimal] = mapped_column(Money())
    unmatched: Mapped[Decimal] = mapped_column(Quantity())


class WashSaleRow(Base):
    """A wash sale found (:class:`~microfolio.tax.wash_records.WashSale`)."""

    __tablename__ = "wash_sales"
    __table_args__ = (
        UniqueConstraint("wash_id"),
        CheckConstraint("shares > 0", name="shares_positive"),
        CheckConstraint("disallowed >= 0", name="disallowed_not_negative"),
        CheckConstraint("holding_days >= 0", name="holding_days_not_negative"),
        Index(None, "household_id", "sold"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    wash_id: Mapped[str] = mapped_column(ID)
    household_id: Mapped[str] = mapped_column(ID, ForeignKey("households.household_id"))
    loss_disposal_id: Mapped[str] = mapped_column(ID)
    loss_account_id: Mapped[str] = mapped_column(ID)
    ticker_sold: Mapped[str] = mapped_column(String(32))
    sold: Mapped[date] = mapped_column(Date, index=True)
    replacement_lot_id: Mapped[str] = mapped_column(ID)
    replacement_account_id: Mapped[str] = mapped_column(ID)
    ticker_bought: Mapped[str] = mapped_column(String(32))
    bought: Mapped[date] = mapped_column(Date)
    shares: Mapped[Decimal] = mapped_column(Quantity())
    disallowed: Mapped[Decimal] = mapped_column(Money())
    permanent: Mapped[bool] = mapped_column(Boolean)
    basis_added: Mapped[Decimal] = mapped_column(Money())
    holding_days: Mapped[int] = mapped_column(Integer)


class WithdrawalRow(Base):
    """A client withdrawal (:class:`~microfolio.domain.Withdrawal`): pending while ``paid`` is
    null."""

    __tablename__ = "withdrawals"
    __table_args__ = (
        UniqueConstraint("withdrawal_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("paid IS NULL OR paid >= requested", name="paid_not_before_requested"),
        Index(None, "account_id", "paid"),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    withdrawal_id: Mapped[str] = mapped_column(ID)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    requested: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[date | None] = mapped_column(Date)


class ModelRecordRow(Base):
    """A trained model of the registry (:class:`~microfolio.signals.monitor.ModelRecord`)."""

    __tablename__ = "model_records"
    __table_args__ = (
        UniqueConstraint("model_id"),
        CheckConstraint(_one_of("status", MODEL_STATUSES), name="status"),
        CheckConstraint("train_start <= train_end", name="train_window_in_order"),
        CheckConstraint("created >= train_end", name="created_after_training"),
        Index(None, "kind", "status"),
        Index(
            "ix_model_records_one_champion_per_kind",
            "kind",
            unique=True,
            sqlite_where=CHAMPION_ONLY,
            postgresql_where=CHAMPION_ONLY,
        ),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    model_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(NAME)
    status: Mapped[str] = mapped_column(String(16))
    created: Mapped[date] = mapped_column(Date)
    train_start: Mapped[date] = mapped_column(Date)
    train_end: Mapped[date] = mapped_column(Date)
    data_version: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)
    validation: Mapped[str] = mapped_column(Text)


class ModelEventRow(Base):
    """One step of the registry's history (:class:`~microfolio.signals.monitor.RegistryEvent`),
    with the session it happened on (when known) and, on a promotion, the champion it
    replaced."""

    __tablename__ = "model_events"
    __table_args__ = (
        UniqueConstraint("sequence"),
        CheckConstraint(_one_of("action", REGISTRY_ACTIONS), name="action"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(
            "previous_champion_id IS NULL OR action = 'promoted'",
            name="previous_champion_on_promotion",
        ),
    )

    id: Mapped[int] = mapped_column(SURROGATE, primary_key=True, autoincrement=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    model_id: Mapped[str] = mapped_column(ID, ForeignKey("model_records.model_id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    session: Mapped[date | None] = mapped_column(Date)
    previous_champion_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("model_records.model_id")
    )
