"""Alembic environment for the store.

``Store.migrate`` hands over its own connection through ``config.attributes["connection"]``, so
the engine's settings (SQLite pragmas, PostgreSQL timeouts) apply. Run through the ``alembic``
command with ``alembic.ini`` next to this file, the URL comes from ``sqlalchemy.url`` or
``MICROFOLIO_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from microfolio.store.database import make_engine, resolve_url
from microfolio.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return resolve_url(config.get_main_option("sqlalchemy.url") or None)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
