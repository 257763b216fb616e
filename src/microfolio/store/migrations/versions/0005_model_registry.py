"""The model registry.

New table ``model_records``: each trained model the registry knows (``model_id``, its ``kind``,
one champion per kind, its ``status`` checked to be champion, challenger or retired, the session
it was ``created``, the training window ``train_start``..``train_end`` checked to be in order and
to end no later than ``created``, the ``data_version`` it was fitted on, and its ``params`` and
``validation`` window and scores as JSON text, kept verbatim so they read back exactly). A
partial unique index on ``kind`` where the status is champion holds "a kind never has two
champions" in the database too; the index on ``(kind, status)`` serves "the champion, the
challengers of this kind".

New table ``model_events``: the registry's append-only history, one row per registration,
promotion and retirement (``action``), numbered by ``sequence`` in one sequence across kinds,
with its ``reason``, the ``session`` it happened on when the registry was given a clock (else
null), and on a promotion the champion it replaced (``previous_champion_id``, null otherwise).

Existing data is untouched: no table gets a column, so there is nothing to rebuild on SQLite (see
migration 0002), and the downgrade drops the new tables only.

Revision ID: 0005
Revises: 0004
Create Date: 2025-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAMPION_ONLY = sa.text("status = 'champion'")


def _surrogate() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "model_records",
        _surrogate(),
        sa.Column("model_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.Column("train_start", sa.Date(), nullable=False),
        sa.Column("train_end", sa.Date(), nullable=False),
        sa.Column("data_version", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("validation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_records")),
        sa.UniqueConstraint("model_id", name=op.f("uq_model_records_model_id")),
        sa.CheckConstraint(
            "status IN ('champion', 'challenger', 'retired')",
            name=op.f("ck_model_records_status"),
        ),
        sa.CheckConstraint(
            "train_start <= train_end", name=op.f("ck_model_records_train_window_in_order")
        ),
        sa.CheckConstraint(
            "created >= train_end", name=op.f("ck_model_records_created_after_training")
        ),
    )
    op.create_index(
        op.f("ix_model_records_kind_status"), "model_records", ["kind", "status"], unique=False
    )
    op.create_index(
        op.f("ix_model_records_one_champion_per_kind"),
        "model_records",
        ["kind"],
        unique=True,
        sqlite_where=CHAMPION_ONLY,
        postgresql_where=CHAMPION_ONLY,
    )
    op.create_table(
        "model_events",
        _surrogate(),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("model_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("session", sa.Date(), nullable=True),
        sa.Column("previous_champion_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_events")),
        sa.UniqueConstraint("sequence", name=op.f("uq_model_events_sequence")),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["model_records.model_id"],
            name=op.f("fk_model_events_model_id_model_records"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_champion_id"],
            ["model_records.model_id"],
            name=op.f("fk_model_events_previous_champion_id_model_records"),
        ),
        sa.CheckConstraint(
            "action IN ('registered', 'promoted', 'retired')",
            name=op.f("ck_model_events_action"),
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_model_events_sequence_positive")),
        sa.CheckConstraint(
            "previous_champion_id IS NULL OR action = 'promoted'",
            name=op.f("ck_model_events_previous_champion_on_promotion"),
        ),
    )
    op.create_index(op.f("ix_model_events_model_id"), "model_events", ["model_id"])


def downgrade() -> None:
    op.drop_table("model_events")
    op.drop_table("model_records")
