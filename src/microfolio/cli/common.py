"""What every command shares: one-line errors with a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

__all__ = ["USAGE_ERROR", "database_url", "fail"]

#: exit code for bad input (a file that is not prices, a bad option value, a clash)
USAGE_ERROR = 2


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """Print ``error: message`` as one unwrapped line on stderr and exit with ``code``."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def database_url(db: str | None) -> str | None:
    """``--db`` as a URL: a URL as given, None as None (the environment's, then); a path must
    name an existing SQLite file (a reading command never creates one)."""
    if db is None or "://" in db:
        return db
    path = Path(db)
    if not path.is_file():
        fail(f"--db {db}: no such database file")
    return f"sqlite:///{path.resolve()}"
