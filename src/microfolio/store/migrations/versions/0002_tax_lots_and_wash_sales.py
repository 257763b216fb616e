"""Tax lots and wash sales.

New columns, each with a default that existing rows take (the domain's defaults):

* ``lots.basis_adjustment`` (money, 0) and ``lots.holding_start`` (date, null): a lot's wash-sale
  basis adjustment and carried-over holding period;
* ``disposals.basis_adjustment`` (money, 0) and ``disposals.tax_acquired`` (date, null);
* ``accounts.lot_method`` (``'fifo'``; checked against fifo, hifo, specific, tax_min);
* ``orders`` and ``trade_tickets``: ``limit_price`` (price, null) and ``lot_ids`` (a JSON list of
  lot ids, ``[]``).

New tables: ``wash_purchases`` and ``wash_losses`` (a household's wash-sale window) and
``wash_sales`` (the wash sales found).

SQLite: every change is a plain ``ALTER TABLE ... ADD COLUMN`` (the lot method's CHECK goes with
its column), so no table is rebuilt. A batch rebuild would not work here: with foreign keys on (as
the store's connections have them) and inside the migration's transaction, where they cannot be
switched off, SQLite refuses to ``DROP`` a table such as ``accounts`` that other rows refer to.
The downgrade uses ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or newer) for the same reason.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOT_METHODS = ("fifo", "hifo", "specific", "tax_min")


def _decimal(precision: int, scale: int) -> sa.types.TypeEngine[Decimal]:
    return sa.Numeric(precision, scale).with_variant(sa.BigInteger(), "sqlite")


def _money() -> sa.types.TypeEngine[Decimal]:
    return _decimal(20, 2)


def _quantity() -> sa.types.TypeEngine[Decimal]:
    return _decimal(24, 6)


def _price() -> sa.types.TypeEngine[Decimal]:
    return _decimal(20, 4)


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(128), nullable=False)


def _ticker(name: str = "ticker") -> sa.Column[str]:
    return sa.Column(name, sa.String(32), nullable=False)


def _household_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["household_id"],
        ["households.household_id"],
        name=op.f(f"fk_{table}_household_id_households"),
    )


def _unmatched_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        "unmatched >= 0 AND unmatched <= quantity", name=op.f(f"ck_{table}_unmatched_in_range")
    )


def _zero_money(name: str) -> sa.Column[Decimal]:
    return sa.Column(name, _money(), server_default=sa.text("0"), nullable=False)


def _lot_ids() -> sa.Column[list[str]]:
    return sa.Column("lot_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)


def upgrade() -> None:
    op.add_column("lots", _zero_money("basis_adjustment"))
    op.add_column("lots", sa.Column("holding_start", sa.Date(), nullable=True))
    op.add_column("disposals", _zero_money("basis_adjustment"))
    op.add_column("disposals", sa.Column("tax_acquired", sa.Date(), nullable=True))
    methods = ", ".join(repr(method) for method in LOT_METHODS)
    op.add_column(
        "accounts",
        sa.Column(
            "lot_method",
            sa.String(32),
            sa.CheckConstraint(f"lot_method IN ({methods})", name=op.f("ck_accounts_lot_method")),
            server_default="fifo",
            nullable=False,
        ),
    )
    for table in ("orders", "trade_tickets"):
        op.add_column(table, sa.Column("limit_price", _price(), nullable=True))
        op.add_column(table, _lot_ids())

    op.create_table(
        "wash_purchases",
        _id("lot_id"),
        _id("household_id"),
        _id("account_id"),
        _ticker(),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("acquired", sa.Date(), nullable=False),
        sa.Column("quantity", _quantity(), nullable=False),
        sa.Column("unmatched", _quantity(), nullable=False),
        sa.Column("tax_advantaged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", name=op.f("pk_wash_purchases")),
        _household_fk("wash_purchases"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_wash_purchases_quantity_positive")),
        _unmatched_check("wash_purchases"),
    )
    op.create_index(
        op.f("ix_wash_purchases_household_id_acquired"),
        "wash_purchases",
        ["household_id", "acquired"],
    )
    op.create_table(
        "wash_losses",
        _id("disposal_id"),
        _id("household_id"),
        _id("account_id"),
        _id("lot_id"),
        _ticker(),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("sold", sa.Date(), nullable=False),
        sa.Column("holding_start", sa.Date(), nullable=False),
        sa.Column("quantity", _quantity(), nullable=False),
        sa.Column("loss", _money(), nullable=False),
        sa.Column("unmatched", _quantity(), nullable=False),
        sa.PrimaryKeyConstraint("disposal_id", name=op.f("pk_wash_losses")),
        _household_fk("wash_losses"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_wash_losses_quantity_positive")),
        _unmatched_check("wash_losses"),
        sa.CheckConstraint("loss > 0", name=op.f("ck_wash_losses_loss_positive")),
    )
    op.create_index(
        op.f("ix_wash_losses_household_id_sold"), "wash_losses", ["household_id", "sold"]
    )
    op.create_table(
        "wash_sales",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
            nullable=False,
        ),
        _id("wash_id"),
        _id("household_id"),
        _id("loss_disposal_id"),
        _id("loss_account_id"),
        _ticker("ticker_sold"),
        sa.Column("sold", sa.Date(), nullable=False),
        _id("replacement_lot_id"),
        _id("replacement_account_id"),
        _ticker("ticker_bought"),
        sa.Column("bought", sa.Date(), nullable=False),
        sa.Column("shares", _quantity(), nullable=False),
        sa.Column("disallowed", _money(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("basis_added", _money(), nullable=False),
        sa.Column("holding_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wash_sales")),
        sa.UniqueConstraint("wash_id", name=op.f("uq_wash_sales_wash_id")),
        _household_fk("wash_sales"),
        sa.CheckConstraint("shares > 0", name=op.f("ck_wash_sales_shares_positive")),
        sa.CheckConstraint("disallowed >= 0", name=op.f("ck_wash_sales_disallowed_not_negative")),
        sa.CheckConstraint(
            "holding_days >= 0", name=op.f("ck_wash_sales_holding_days_not_negative")
        ),
    )
    op.create_index(op.f("ix_wash_sales_household_id_sold"), "wash_sales", ["household_id", "sold"])
    op.create_index(op.f("ix_wash_sales_sold"), "wash_sales", ["sold"])


def downgrade() -> None:
    for table in ("wash_sales", "wash_losses", "wash_purchases"):
        op.drop_table(table)
    for table in ("trade_tickets", "orders"):
        op.drop_column(table, "lot_ids")
        op.drop_column(table, "limit_price")
    # the column's CHECK goes with it (PostgreSQL drops it; on SQLite it is part of the column)
    op.drop_column("accounts", "lot_method")
    op.drop_column("disposals", "tax_acquired")
    op.drop_column("disposals", "basis_adjustment")
    op.drop_column("lots", "holding_start")
    op.drop_column("lots", "basis_adjustment")
