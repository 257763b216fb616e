"""Where the database is, and an engine set up for it.

The URL comes from an explicit argument, else ``MICROFOLIO_DATABASE_URL``, else a SQLite file the
caller names (for example ``<work dir>/microfolio.db``). Two backends are supported: SQLite (the
embedded default) and PostgreSQL through psycopg 3 (``postgresql+psycopg://``).

SQLite connections get foreign keys on, a WAL journal and ``synchronous=NORMAL``, and SQLAlchemy
(not the ``sqlite3`` module) emits ``BEGIN IMMEDIATE``, so a unit of work is one serialisable
transaction from its first read, and two writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from microfolio.errors import StoreError

__all__ = [
    "DATABASE_URL_ENV",
    "describe_error",
    "make_engine",
    "parse_url",
    "resolve_url",
    "safe_url",
]

DATABASE_URL_ENV = "MICROFOLIO_DATABASE_URL"

#: seconds a SQLite writer waits for another writer before giving up
SQLITE_BUSY_TIMEOUT = 30.0
#: seconds to wait for a PostgreSQL server to answer a connection attempt
CONNECT_TIMEOUT = 10


def resolve_url(url: str | None = None, *, default_sqlite_path: Path | None = None) -> str:
    """The database URL: ``url``, else ``$MICROFOLIO_DATABASE_URL``, else a SQLite file.

    The SQLite file's directory is created when it does not exist yet.
    """
    if url:
        return url
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return from_env
    if default_sqlite_path is None:
        raise StoreError(
            f"no database: pass a URL, set {DATABASE_URL_ENV} or give default_sqlite_path"
        )
    path = Path(default_sqlite_path).expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the database directory {path.parent}: {exc}") from None
    return URL.create("sqlite", database=str(path)).render_as_string()


def parse_url(url: str) -> URL:
    """Parse and normalise a database URL; refuse anything but SQLite and PostgreSQL.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (the only PostgreSQL driver installed).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL {url!r} is not a valid SQLAlchemy URL") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed
    raise StoreError(
        f"database URL {safe_url(parsed)!r}: unsupported backend {parsed.drivername!r}; "
        "use sqlite:///<path> or postgresql+psycopg://<user>@<host>/<db>"
    )


def safe_url(url: URL | str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<invalid URL>"
    return parsed.render_as_string(hide_password=True)


def describe_error(exc: BaseException) -> str:
    """One line that says what went wrong, without SQLAlchemy's boilerplate."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    if orig is None:
        text = text.split("\n(Background on this error", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the per-backend settings; nothing is connected yet."""
    parsed = parse_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
    else:
        # a server restart must not poison the pool of a long-running service
        kwargs["pool_pre_ping"] = True
        if "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use database {safe_url(parsed)}: {exc}") from None
    except SQLAlchemyError as exc:  # pragma: no cover - defensive
        raise StoreError(f"cannot use database {safe_url(parsed)}: {describe_error(exc)}") from None
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy emit BEGIN (see _on_begin) instead of the sqlite3 module's legacy mode
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
