"""The ``microfolio`` command line."""

from __future__ import annotations

import typer

from microfolio.cli.data import app as data_app
from microfolio.cli.demo import demo
from microfolio.cli.models import app as models_app
from microfolio.cli.onboard import onboard
from microfolio.cli.optimize import optimize
from microfolio.cli.research import research
from microfolio.cli.sentiment import app as sentiment_app
from microfolio.cli.tax import app as tax_app

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
app.command()(research)
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")
app.add_typer(sentiment_app, name="sentiment")
app.add_typer(tax_app, name="tax")


def main() -> None:
    app()
