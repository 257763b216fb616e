"""The ``microfolio`` command line."""

from __future__ import annotations

import typer

from microfolio.cli.data import app as data_app
from microfolio.cli.demo import demo
from microfolio.cli.onboard import onboard
from microfolio.cli.optimize import optimize

__all__ = ["app", "main"]

app = typer.Typer(
    name="microfolio",
    help="An open-source AI-driven robo-advisor engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(demo)
app.command()(optimize)
app.command()(onboard)
app.add_typer(data_app, name="data")


def main() -> None:
    app()
