"""``microfolio tax report``: a household's realised gains, harvested and disallowed losses, and
yearly taxes with loss carryforwards, read from a store (a demo's ``microfolio.db`` or the
production database)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from microfolio.cli.common import database_url, fail
from microfolio.errors import MicrofolioError

__all__ = ["app"]

app = typer.Typer(help="Tax reports from a store.", no_args_is_help=True)


def _rate(name: str, value: str) -> Decimal:
    try:
        rate = Decimal(value)
    except InvalidOperation:
        fail(f"--{name} must be a number in 0..1, got {value!r}")
    if not Decimal(0) <= rate <= 1:
        fail(f"--{name} must be in 0..1, got {value}")
    return rate


@app.command()
def report(
    household: Annotated[str, typer.Option(help="Household id (the demo's is hh-demo).")],
    db: Annotated[
        str | None,
        typer.Option(
            help="SQLite file or database URL (default: $MICROFOLIO_DATABASE_URL).",
        ),
    ] = None,
    ordinary_rate: Annotated[
        str, typer.Option(help="Rate on short-term gains and deducted losses.")
    ] = "0.35",
    long_term_rate: Annotated[str, typer.Option(help="Rate on long-term gains.")] = "0.15",
    through: Annotated[
        int | None, typer.Option(help="Carry losses through this year (default: last sale).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Realised gains by account and year, harvested and disallowed losses, yearly taxes."""
    from microfolio.services.tax_report import tax_report
    from microfolio.store import Store
    from microfolio.tax import TaxRates

    url = database_url(db)
    rates = TaxRates(_rate("ordinary-rate", ordinary_rate), _rate("long-term-rate", long_term_rate))
    if url is None:
        import os

        from microfolio.store.database import DATABASE_URL_ENV

        if not os.environ.get(DATABASE_URL_ENV):
            fail(f"no database: pass --db FILE_OR_URL or set {DATABASE_URL_ENV}")
    store = Store.open(url)
    try:
        result = tax_report(store, household, rates, through_year=through)
    except MicrofolioError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    console = Console()
    table = Table(title=f"Realised gains of household {household}")
    for column in ("account", "type", "year", "short-term", "long-term", "harvested", "disallowed"):
        table.add_column(column, justify="left" if column in ("account", "type") else "right")
    for line in result.accounts:
        table.add_row(
            line.account_id,
            line.account_type + ("" if line.taxable else " (not taxed)"),
            str(line.year),
            f"{line.short_term:,.2f}",
            f"{line.long_term:,.2f}",
            f"{line.harvested:,.2f}",
            f"{line.disallowed:,.2f}",
        )
    console.print(table)
    taxes = Table(title="Household taxes (taxable accounts; flat federal rates, no state tax)")
    for column in (
        "year",
        "net short",
        "net long",
        "loss deducted",
        "carried short",
        "carried long",
        "tax",
    ):
        taxes.add_column(column, justify="right")
    for t in result.taxes:
        taxes.add_row(
            str(t.year),
            f"{t.net_short:,.2f}",
            f"{t.net_long:,.2f}",
            f"{t.loss_deducted:,.2f}",
            f"{t.carryforward_short:,.2f}",
            f"{t.carryforward_long:,.2f}",
            f"{t.tax:,.2f}",
        )
    console.print(taxes)
    console.print(
        f"losses harvested ${result.harvested:,.2f}; disallowed by wash sales "
        f"${result.disallowed:,.2f} in {result.wash_sales} wash sale(s)"
    )
