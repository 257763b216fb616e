"""``microfolio demo``: the whole path on the bundled data, with a report at the end."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from microfolio.cli.common import fail, option_date
from microfolio.errors import MicrofolioError
from microfolio.risk import PerformanceSummary
from microfolio.services.demo import new_work_dir, run_demo

__all__ = ["demo"]


def demo(
    work_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the store and reports (default: a new folder under ./microfolio-work)."
        ),
    ] = None,
    start: Annotated[str, typer.Option(help="First session (YYYY-MM-DD).")] = "2007-01-03",
    end: Annotated[str, typer.Option(help="Last session (YYYY-MM-DD).")] = "2017-11-10",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a sample household (taxable, spouse's taxable, IRA) through the daily cycle on the bundled data."""
    err = Console(stderr=True)
    first, last = option_date(start, "--start"), option_date(end, "--end")
    if first > last:
        fail(f"--start {first} is after --end {last}")
    if work_dir is None:
        folder = new_work_dir(Path("microfolio-work"))
    else:
        if work_dir.exists() and any(work_dir.iterdir()):
            fail(f"--work-dir {work_dir} is not empty; give a new folder")
        folder = work_dir
    folder = folder.resolve()
    err.print(f"work folder: {folder}", markup=False)
    began = time.perf_counter()
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[session]}"),
        TimeElapsedColumn(),
        console=err,
        disable=as_json and not err.is_terminal,
    )
    with progress:
        task = progress.add_task("daily cycle", total=None, session="")

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_session(session: date) -> None:
            progress.update(task, advance=1, session=session.isoformat())

        try:
            result = run_demo(folder, first, last, on_start=on_start, on_session=on_session)
        except MicrofolioError as exc:
            progress.stop()
            fail(str(exc))
    elapsed = time.perf_counter() - began
    payload = json.loads(result.summary_path.read_text())
    payload["wall_seconds"] = round(elapsed, 1)
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    out = Console()
    table = Table(title=f"microfolio demo, {result.backtest.start} to {result.backtest.end}")
    table.add_column("")
    for name in result.summaries:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Callable[[PerformanceSummary], str]]] = [
        ("final value", lambda s: f"${s.final_value:,.0f}"),
        ("net deposits", lambda s: f"${s.net_deposits:,.0f}"),
        ("CAGR (time-weighted)", lambda s: f"{s.cagr:.2%}"),
        ("volatility", lambda s: f"{s.volatility:.2%}"),
        ("Sharpe", lambda s: f"{s.sharpe:.2f}"),
        ("Sortino", lambda s: f"{s.sortino:.2f}"),
        ("max drawdown", lambda s: f"{s.max_drawdown:.2%}"),
        ("turnover / year", lambda s: f"{s.turnover:.1%}"),
        ("costs", lambda s: f"${s.total_costs:,.2f}"),
        ("trades", lambda s: str(s.trades)),
    ]
    for label, fmt in rows:
        table.add_row(label, *(fmt(s) for s in result.summaries.values()))
    out.print(table)
    out.print(f"report:  {result.report}", markup=False)
    out.print(f"summary: {result.summary_path}", markup=False)
    out.print(f"store:   {result.database}", markup=False)
    out.print(
        f"data version {result.data_version}; {result.backtest.sessions} sessions in {elapsed:.1f} s",
        markup=False,
    )
