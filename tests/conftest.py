"""Shared fixtures: a throw-away PostgreSQL server and fresh stores on both backends."""

from __future__ import annotations

import os

# one thread per BLAS/OpenMP pool: tests run in parallel and must not oversubscribe the machine
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import glob
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings

from microfolio.store import Base, Store

# In CI the property tests run derandomised (the same examples every run, plus each test's
# pinned @example cases), so a red build always reproduces; a developer's run explores anew.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SKIP_POSTGRES_ENV = "MICROFOLIO_SKIP_POSTGRES"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_SUPERUSER = "postgres"
STORE_DB = "microfolio_store"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class PostgresServer:
    """A running throw-away server: trust auth, loopback only, fsync off."""

    root: Path
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run statements on ``database``, outside any transaction."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=PG_SUPERUSER, dbname=database, autocommit=True
        ) as connection:
            connection.execute(sql.encode())

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        self.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def empty_tables(self, database: str) -> None:
        """Delete every row and restart the id sequences: a freshly migrated store, fast.

        (A new database per test costs ~0.1 s, this ~0.03 s.) A lock timeout turns a test that
        left a unit of work open into an error instead of a hang.
        """
        tables = ", ".join(Base.metadata.tables)
        self.execute(
            f"SET lock_timeout = '10s'; TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE",
            database,
        )


def _pg_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin directory, else one on PATH."""

    def version(path: str) -> tuple[int, ...]:
        digits = Path(path).parent.name
        return tuple(int(part) for part in digits.split(".") if part.isdigit())

    for candidate in sorted(glob.glob(PG_BIN_GLOB), key=version, reverse=True):
        if Path(candidate, "initdb").is_file() and Path(candidate, "pg_ctl").is_file():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: when root, run as the ``postgres`` system user."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_SUPERUSER, "--", *command]
    return ["su", PG_SUPERUSER, "-s", "/bin/sh", "-c", shlex.join(command)]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_server_user(command), cwd=cwd, capture_output=True, text=True, check=False
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _temp_root() -> Path:
    base = Path(tempfile.gettempdir())
    if os.geteuid() == 0 and not os.stat(base).st_mode & 0o001:
        base = Path("/tmp")  # the server user must be able to reach its directory
    root = Path(tempfile.mkdtemp(prefix="microfolio-pg-", dir=base))
    if os.geteuid() == 0:
        user = pwd.getpwnam(PG_SUPERUSER)
        os.chown(root, user.pw_uid, user.pw_gid)
    return root


def _start(bin_dir: Path, root: Path) -> PostgresServer:
    data = root / "data"
    log = root / "server.log"
    initdb = _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        cwd=root,
    )
    if initdb.returncode != 0:
        pytest.fail(f"initdb failed: {initdb.stderr.strip() or initdb.stdout.strip()}")
    last_error = ""
    for _attempt in range(5):
        port = _free_port()
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {port}\n"
                f"unix_socket_directories = '{root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        started = _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"],
            cwd=root,
        )
        if started.returncode == 0:
            return PostgresServer(root=root, port=port)
        last_error = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
    pytest.fail(f"PostgreSQL did not start:\n{last_error}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL server for the whole session, with a migrated store database."""
    if os.environ.get(SKIP_POSTGRES_ENV) == "1":
        pytest.skip(f"PostgreSQL tests skipped ({SKIP_POSTGRES_ENV}=1)")
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.fail(
            f"PostgreSQL server binaries (initdb, pg_ctl) not found under {PG_BIN_GLOB}: run the "
            f"test command from the README (its set-up installs the postgresql package), or set "
            f"{SKIP_POSTGRES_ENV}=1 to skip the PostgreSQL tests",
            pytrace=False,
        )
    root = _temp_root()
    server: PostgresServer | None = None
    try:
        server = _start(bin_dir, root)
        server.execute(f"CREATE DATABASE {STORE_DB}")
        migrated = Store(server.url(STORE_DB))
        try:
            migrated.migrate()
        finally:
            migrated.dispose()
        yield server
    finally:
        if server is not None:
            _run([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "stop"], root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    template = Store(f"sqlite:///{path}")
    try:
        template.migrate()
    finally:
        template.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database (not migrated), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store, on each backend.

    SQLite: a copy of a migrated file in the test's own directory. PostgreSQL: the session's
    migrated database with every table emptied first.
    """
    if request.param == "sqlite":
        path = tmp_path / "microfolio.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        opened = Store(f"sqlite:///{path}")
        try:
            yield opened
        finally:
            opened.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.empty_tables(STORE_DB)
    opened = Store(server.url(STORE_DB))
    try:
        yield opened
    finally:
        opened.dispose()
