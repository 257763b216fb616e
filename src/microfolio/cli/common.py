"""What every command shares: one-line errors with a non-zero exit."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NoReturn, overload

import typer

__all__ = ["USAGE_ERROR", "database_url", "fail", "option_date"]

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


@overload
def option_date(value: str, name: str) -> date: ...
@overload
def option_date(value: None, name: str) -> None: ...
@overload
def option_date(value: str | None, name: str) -> date | None: ...
def option_date(value: str | None, name: str) -> date | None:
    """An option's ``YYYY-MM-DD`` as a date (None stays None); else one error line naming
    the option."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"{name} must be a date YYYY-MM-DD, got {value!r}")
