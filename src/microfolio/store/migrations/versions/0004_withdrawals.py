"""Client withdrawals.

New table ``withdrawals``: each request to take cash out of an account (``withdrawal_id``, the
account, the session it was ``requested``, the ``amount`` in money, checked > 0) and the session
it was ``paid`` (null while pending; checked not to come before the request). The index on
``(account_id, paid)`` serves the daily cycle's question, "what is still pending here?".

Existing data is untouched: no table gets a column, so there is nothing to rebuild on SQLite (see
migration 0002), and the downgrade drops the new table only.

Revision ID: 0004
Revises: 0003
Create Date: 2025-04-01
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money() -> sa.types.TypeEngine[Decimal]:
    return sa.Numeric(20, 2).with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("withdrawal_id", sa.String(128), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("requested", sa.Date(), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("paid", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawals")),
        sa.UniqueConstraint("withdrawal_id", name=op.f("uq_withdrawals_withdrawal_id")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_withdrawals_account_id_accounts"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_withdrawals_amount_positive")),
        sa.CheckConstraint(
            "paid IS NULL OR paid >= requested",
            name=op.f("ck_withdrawals_paid_not_before_requested"),
        ),
    )
    op.create_index(op.f("ix_withdrawals_account_id_paid"), "withdrawals", ["account_id", "paid"])


def downgrade() -> None:
    op.drop_table("withdrawals")
