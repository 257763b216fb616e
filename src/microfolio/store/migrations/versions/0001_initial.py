"""Initial schema.

Assets, households, accounts, cash, lots, disposals, trade tickets, orders, fills, the
double-entry journal, audit events and daily valuations. Constraint names are final (``op.f``):
they already follow ``microfolio.store.models.NAMING_CONVENTION``.

Decimal columns are NUMERIC(p, s) on PostgreSQL and 64-bit integers scaled by 10**s on SQLite
(see ``microfolio.store.types``), so both keep money and quantities exact.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _decimal(precision: int, scale: int) -> sa.types.TypeEngine[Decimal]:
    return sa.Numeric(precision, scale).with_variant(sa.BigInteger(), "sqlite")


def _money() -> sa.types.TypeEngine[Decimal]:
    return _decimal(20, 2)


def _quantity() -> sa.types.TypeEngine[Decimal]:
    return _decimal(24, 6)


def _price() -> sa.types.TypeEngine[Decimal]:
    return _decimal(20, 4)


def _id(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(128), nullable=nullable)


def _surrogate() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        nullable=False,
    )


def _ticker() -> sa.Column[str]:
    return sa.Column("ticker", sa.String(32), nullable=False)


def _fk(table: str, column: str, target: str, *, deferred: bool = False) -> sa.ForeignKeyConstraint:
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target_table}"),
        deferrable=True if deferred else None,
        initially="DEFERRED" if deferred else None,
    )


def _side_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f(f"ck_{table}_side"))


def _one_size_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        "(quantity IS NULL) <> (notional IS NULL)", name=op.f(f"ck_{table}_one_size")
    )


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("ticker", sa.String(32), nullable=False),
        sa.Column("asset_class", sa.String(128), nullable=False),
        sa.Column("tlh_rank", sa.Integer(), nullable=False),
        sa.Column("tracks", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("ticker", name=op.f("pk_assets")),
        sa.CheckConstraint("tlh_rank >= 1", name=op.f("ck_assets_tlh_rank_positive")),
    )
    op.create_table(
        "households",
        _id("household_id"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_households")),
    )
    op.create_table(
        "accounts",
        _id("account_id"),
        _id("household_id"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("account_type", sa.String(32), nullable=False),
        sa.Column("fractional", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_accounts")),
        _fk("accounts", "household_id", "households.household_id"),
        sa.CheckConstraint(
            "account_type IN ('taxable', 'traditional_ira', 'roth_ira')",
            name=op.f("ck_accounts_account_type"),
        ),
    )
    op.create_index(op.f("ix_accounts_household_id"), "accounts", ["household_id"])
    op.create_table(
        "cash_balances",
        _id("account_id"),
        sa.Column("amount", _money(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_cash_balances")),
        _fk("cash_balances", "account_id", "accounts.account_id"),
    )
    op.create_table(
        "lots",
        _surrogate(),
        _id("lot_id"),
        _id("account_id"),
        _ticker(),
        sa.Column("quantity", _quantity(), nullable=False),
        sa.Column("cost", _money(), nullable=False),
        sa.Column("acquired", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("lot_id", name=op.f("uq_lots_lot_id")),
        _fk("lots", "account_id", "accounts.account_id"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_lots_quantity_positive")),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_lots_cost_not_negative")),
    )
    op.create_index(op.f("ix_lots_account_id_acquired"), "lots", ["account_id", "acquired"])
    op.create_table(
        "trade_tickets",
        _surrogate(),
        _id("ticket_id"),
        _id("account_id"),
        sa.Column("session", sa.Date(), nullable=False),
        _ticker(),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("quantity", _quantity(), nullable=True),
        sa.Column("notional", _money(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_tickets")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_trade_tickets_ticket_id")),
        _fk("trade_tickets", "account_id", "accounts.account_id"),
        _side_check("trade_tickets"),
        _one_size_check("trade_tickets"),
    )
    op.create_index(
        op.f("ix_trade_tickets_account_id_session"), "trade_tickets", ["account_id", "session"]
    )
    op.create_table(
        "orders",
        _surrogate(),
        _id("order_id"),
        _id("account_id"),
        _ticker(),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.Column("quantity", _quantity(), nullable=True),
        sa.Column("notional", _money(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        _id("ticket_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("order_id", name=op.f("uq_orders_order_id")),
        _fk("orders", "account_id", "accounts.account_id"),
        _fk("orders", "ticket_id", "trade_tickets.ticket_id", deferred=True),
        _side_check("orders"),
        sa.CheckConstraint(
            "status IN ('new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected')",
            name=op.f("ck_orders_status"),
        ),
        _one_size_check("orders"),
    )
    op.create_index(op.f("ix_orders_account_id_status"), "orders", ["account_id", "status"])
    op.create_index(op.f("ix_orders_ticket_id"), "orders", ["ticket_id"])
    op.create_table(
        "fills",
        _surrogate(),
        _id("fill_id"),
        _id("order_id"),
        _id("account_id"),
        _ticker(),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("quantity", _quantity(), nullable=False),
        sa.Column("price", _price(), nullable=False),
        sa.Column("commission", _money(), nullable=False),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("reference_price", _price(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fills")),
        sa.UniqueConstraint("fill_id", name=op.f("uq_fills_fill_id")),
        _fk("fills", "order_id", "orders.order_id", deferred=True),
        _fk("fills", "account_id", "accounts.account_id"),
        _side_check("fills"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fills_quantity_positive")),
    )
    op.create_index(op.f("ix_fills_account_id_session"), "fills", ["account_id", "session"])
    op.create_index(op.f("ix_fills_order_id"), "fills", ["order_id"])
    op.create_table(
        "disposals",
        _surrogate(),
        _id("disposal_id"),
        _id("account_id"),
        _id("lot_id"),
        _id("fill_id"),
        _ticker(),
        sa.Column("quantity", _quantity(), nullable=False),
        sa.Column("acquired", sa.Date(), nullable=False),
        sa.Column("sold", sa.Date(), nullable=False),
        sa.Column("proceeds", _money(), nullable=False),
        sa.Column("cost", _money(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposals")),
        sa.UniqueConstraint("disposal_id", name=op.f("uq_disposals_disposal_id")),
        _fk("disposals", "account_id", "accounts.account_id"),
        _fk("disposals", "fill_id", "fills.fill_id", deferred=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_disposals_quantity_positive")),
    )
    op.create_index(op.f("ix_disposals_account_id_sold"), "disposals", ["account_id", "sold"])
    op.create_index(op.f("ix_disposals_fill_id"), "disposals", ["fill_id"])
    op.create_table(
        "journal_entries",
        _surrogate(),
        _id("entry_id"),
        _id("account_id"),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_journal_entries_entry_id")),
        _fk("journal_entries", "account_id", "accounts.account_id"),
    )
    op.create_index(
        op.f("ix_journal_entries_account_id_session"), "journal_entries", ["account_id", "session"]
    )
    op.create_table(
        "journal_postings",
        _id("entry_id"),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ledger_account", sa.String(128), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "position", name=op.f("pk_journal_postings")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.entry_id"],
            name=op.f("fk_journal_postings_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "audit_events",
        _surrogate(),
        _id("event_id"),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(128), nullable=False),
        _id("account_id", nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_events_event_id")),
    )
    op.create_index(
        op.f("ix_audit_events_account_id_session"), "audit_events", ["account_id", "session"]
    )
    op.create_table(
        "valuations",
        _id("account_id"),
        sa.Column("session", sa.Date(), nullable=False),
        sa.Column("cash", _money(), nullable=False),
        sa.Column("market_value", _money(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "session", name=op.f("pk_valuations")),
        _fk("valuations", "account_id", "accounts.account_id"),
    )


def downgrade() -> None:
    for table in (
        "valuations",
        "audit_events",
        "journal_postings",
        "journal_entries",
        "disposals",
        "fills",
        "orders",
        "trade_tickets",
        "lots",
        "cash_balances",
        "accounts",
        "households",
        "assets",
    ):
        op.drop_table(table)
