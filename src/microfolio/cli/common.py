"""What every command shares: one-line errors with a non-zero exit."""

from __future__ import annotations

from typing import NoReturn

import typer

__all__ = ["USAGE_ERROR", "fail"]

#: exit code for bad input (a file that is not prices, a bad option value, a clash)
USAGE_ERROR = 2


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """Print ``error: message`` as one unwrapped line on stderr and exit with ``code``."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)
