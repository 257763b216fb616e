"""Opening a store: where the URL comes from, the SQLite settings, and errors in one line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from microfolio.errors import MicrofolioError, StoreError
from microfolio.store import DATABASE_URL_ENV, Store, make_engine, resolve_url
from microfolio.store.database import parse_url


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid SQLAlchemy URL"),
        ("mysql://user@localhost/db", "unsupported backend 'mysql'"),
        ("postgresql+asyncpg://user@localhost/db", "unsupported backend"),
    ],
)
def test_a_bad_url_is_refused_in_one_line(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        Store(url)
    assert "\n" not in str(caught.value)


def test_an_unreachable_server_is_reported_in_one_line() -> None:
    url = f"postgresql+psycopg://someone:secret@127.0.0.1:{_closed_port()}/nowhere"
    with pytest.raises(StoreError, match="cannot connect to") as caught:
        Store(url)
    message = str(caught.value)
    assert "\n" not in message
    assert "secret" not in message
    assert "Connection refused" in message or "connection failed" in message


def test_a_sqlite_file_in_a_missing_directory_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"
    with pytest.raises(StoreError, match=r"cannot connect to .*unable to open database file"):
        Store(url)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for " * 100)
    with pytest.raises(StoreError, match="not a database"):
        Store(f"sqlite:///{path}")


def test_store_errors_are_microfolio_errors() -> None:
    with pytest.raises(MicrofolioError):
        Store("not a url")


def test_the_url_argument_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "sqlite:///from-env.db")
    assert resolve_url("sqlite:///explicit.db", default_sqlite_path=tmp_path / "x.db") == (
        "sqlite:///explicit.db"
    )


def test_the_environment_wins_over_the_default_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'from-env.db'}")
    store = Store.open(default_sqlite_path=tmp_path / "default.db")
    store.dispose()
    assert store.url.endswith("from-env.db")
    assert not (tmp_path / "default.db").exists()


def test_the_default_sqlite_path_is_used_and_its_directory_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Arrange
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    path = tmp_path / "work" / "microfolio.db"
    # Act
    with Store.open(default_sqlite_path=path) as store:
        store.migrate()
        backend = store.backend
    # Assert
    assert backend == "sqlite"
    assert path.is_file()


def test_no_url_anywhere_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    with pytest.raises(StoreError, match=DATABASE_URL_ENV):
        Store.open()


def test_a_postgres_url_without_a_driver_means_psycopg() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_sqlite_connections_use_foreign_keys_wal_and_normal_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    finally:
        engine.dispose()
    assert (foreign_keys, journal, synchronous) == (1, "wal", 1)


def test_a_unit_of_work_used_outside_with_is_refused(store: Store) -> None:
    uow = store.unit_of_work()
    with pytest.raises(StoreError, match="not open"):
        uow.assets()


def test_a_unit_of_work_runs_only_once(store: Store) -> None:
    uow = store.unit_of_work()
    with uow:
        uow.assets()
    with pytest.raises(StoreError, match="runs once"), uow:
        pass  # pragma: no cover
