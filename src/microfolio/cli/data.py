"""``microfolio data ...``: look at price files before anything trades on them.

``validate`` runs the validation gate over a file and says whether the data is usable: exit 0
when nothing blocks, 1 when something does, 2 when the file is not prices at all (one ``error:``
line on stderr, never a traceback). Heavy imports happen inside the command, so ``--help`` stays
fast.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microfolio.cli.common import fail

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from microfolio.data import DataIssue

__all__ = ["app"]

app = typer.Typer(
    name="data",
    help="Load and validate market data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USABLE, EXIT_BLOCKED, EXIT_NOT_PRICES = 0, 1, 2


@app.callback()
def _data() -> None:
    """Load and validate market data."""


@app.command("validate")
def validate(
    file: Annotated[
        Path,
        typer.Argument(help="CSV, gzip CSV or Parquet prices, long or wide", show_default=False),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as a JSON list on stdout.")
    ] = False,
    policy_file: Annotated[
        Path | None,
        typer.Option("--policy", help="JSON or TOML file of GatePolicy fields to override."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Table rows to show, blocking first (0: all).")
    ] = 50,
) -> None:
    """Run the validation gate over FILE: exit 0 if usable, 1 if blocked, 2 if not prices."""
    from rich.console import Console

    from microfolio.data import data_version, find_issues, read_bars
    from microfolio.data.policy import GatePolicy, load_policy
    from microfolio.errors import MicrofolioError

    try:
        with Console(stderr=True).status(f"validating {file.name} ..."):
            policy = load_policy(policy_file) if policy_file is not None else GatePolicy()
            bars = read_bars(file)
            issues = find_issues(bars, policy)
            version = data_version(bars)
    except MicrofolioError as exc:
        fail(str(exc), EXIT_NOT_PRICES)
    except Exception as exc:  # a bug or an exotic file: still one line, never a traceback
        fail(f"{file.name}: {type(exc).__name__}: {exc}", EXIT_NOT_PRICES)

    summary = _summary(bars, issues, version)
    if as_json:
        typer.echo(json.dumps([i.to_dict() for i in issues], indent=2))
        typer.echo(summary, err=True)
    else:
        console = _console()
        if issues:
            console.print(_table(file.name, issues, limit))
        console.print(summary, highlight=False, markup=False)
    raise typer.Exit(EXIT_BLOCKED if any(i.blocking for i in issues) else EXIT_USABLE)


def _console() -> Console:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def _table(name: str, issues: tuple[DataIssue, ...], limit: int) -> Table:
    from rich.table import Table
    from rich.text import Text

    from microfolio.data import GateAction

    rank = {GateAction.BLOCK: 0, GateAction.DROP_TICKER: 1, GateAction.WARN: 2}
    ordered = sorted(issues, key=lambda i: rank.get(i.action, 3))
    shown = ordered if limit == 0 else ordered[:limit]
    hidden = len(ordered) - len(shown)
    caption = f"{hidden} more not shown (--limit 0 shows all)" if hidden else None
    table = Table(title=f"Findings in {name}", caption=caption)
    for column in ("kind", "ticker", "date", "detail", "blocking"):
        table.add_column(column, overflow="fold", no_wrap=column != "detail")
    for issue in shown:
        blocking = Text("yes", style="bold red") if issue.blocking else Text("no")
        table.add_row(
            issue.kind.value, issue.ticker, issue.date.isoformat(), Text(issue.detail), blocking
        )
    return table


def _summary(bars: pd.DataFrame, issues: tuple[DataIssue, ...], version: str) -> str:
    """One line: rows, tickers, date range, data version, counts by kind, and the verdict."""
    start, end = bars["date"].min().date(), bars["date"].max().date()
    head = (
        f"{len(bars):,} rows, {bars['ticker'].nunique()} tickers, {start} to {end}, "
        f"data version {version}"
    )
    counts = Counter(i.kind.value for i in issues)
    blocking = Counter(i.kind.value for i in issues if i.blocking)
    parts = [
        f"{kind} {n}" + (f" ({blocking[kind]} blocking)" if blocking[kind] else "")
        for kind, n in sorted(counts.items())
    ]
    found = "; findings: " + ", ".join(parts) if parts else "; no findings"
    n_blocking = sum(blocking.values())
    verdict = f"BLOCKED by {n_blocking} issues" if n_blocking else "usable"
    return f"{head}{found}; {verdict}"
