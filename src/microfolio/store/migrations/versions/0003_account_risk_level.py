"""The account's risk level.

New column ``accounts.risk_level`` (integer, null: not onboarded yet), checked to lie in 0..10
(the model family's levels). Existing accounts take null: they must be onboarded (given a level)
before the daily cycle runs them.

SQLite: a plain ``ALTER TABLE ... ADD COLUMN`` (the CHECK goes with its column), and the
downgrade ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or newer), for the reason migration 0002
gives: a batch rebuild would have to ``DROP`` the ``accounts`` table, which other rows refer to.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_RISK_LEVEL = 10


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column(
            "risk_level",
            sa.Integer(),
            sa.CheckConstraint(
                f"risk_level >= 0 AND risk_level <= {MAX_RISK_LEVEL}",
                name=op.f("ck_accounts_risk_level_in_range"),
            ),
            nullable=True,
        ),
    )


def downgrade() -> None:
    # the column's CHECK goes with it (PostgreSQL drops it; on SQLite it is part of the column)
    op.drop_column("accounts", "risk_level")
