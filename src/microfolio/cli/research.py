"""``microfolio research``: the walk-forward study of the return models, out of sample only.

Runs :func:`~microfolio.services.research.run_research` on the bundled ETFs or on the stock file
(``--prices FILE``, else ``$MICROFOLIO_STOCKS_FILE``, else ``../shared/data/stocks_daily.csv.gz``
next to the working directory or the repository), shows a progress bar on stderr, prints the
forecast, strategy and volatility tables and the verdict, and writes ``report.html``,
``research.json`` and the model registry ``models.db`` (SQLite; ``--registry FILE|URL`` for
another database) into ``--out`` (default: a new folder under ``./microfolio-work``). Exit 2
with one ``error:`` line on bad options, a missing stock file or a folder that is not empty.
Heavy imports happen inside the command, so ``--help`` stays fast.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microfolio.cli.common import fail, option_date
from microfolio.clock import SystemClock

if TYPE_CHECKING:
    from rich.console import Console

    from microfolio.services.research import ResearchFiles, ResearchResult

__all__ = ["research"]

UNIVERSES = ("etfs", "stocks")
RETRAIN = ("schedule", "trigger")
REGISTRY_FILE = "models.db"


def _names(value: str, option: str, known: tuple[str, ...]) -> tuple[str, ...]:
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    if not chosen or any(name not in known for name in chosen):
        fail(f"{option} must name some of {', '.join(known)}; got {value!r}")
    return tuple(dict.fromkeys(chosen))


def _out_folder(out: Path | None) -> Path:
    if out is not None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            fail(f"--out {out} is not empty; give a new folder")
        return out
    parent = Path("microfolio-work")
    parent.mkdir(parents=True, exist_ok=True)
    stamp = SystemClock().today().strftime("%Y%m%d")
    return Path(tempfile.mkdtemp(prefix=f"research-{stamp}-", dir=parent))


def research(
    universe: Annotated[str, typer.Option(help="etfs (bundled) or stocks (a file).")] = "etfs",
    prices: Annotated[
        Path | None,
        typer.Option(help="The stock file for --universe stocks (CSV or Parquet bars)."),
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(help="Comma-separated return models (default: all but zero)."),
    ] = None,
    vol_models: Annotated[
        str | None,
        typer.Option(help="Comma-separated volatility models (default: all five)."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First test session (YYYY-MM-DD; default 2008-01-01).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last session used (default: the last of the data).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for report.html and research.json (new or empty)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Processes for the model and volatility jobs.", min=1)
    ] = min(2, os.cpu_count() or 1),
    fast: Annotated[
        bool, typer.Option("--fast", help="Smaller learned models (smoke runs and tests).")
    ] = False,
    retrain: Annotated[
        str,
        typer.Option(
            help="schedule (refit at every check) or trigger (refit on drift or age only)."
        ),
    ] = "schedule",
    registry: Annotated[
        str | None,
        typer.Option(
            help="Model registry database (a SQLite file or a URL; default: models.db in --out)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Walk-forward study on the ETFs or the stocks: forecasts, strategies and the verdict."""
    from pydantic import ValidationError
    from rich.console import Console

    from microfolio.errors import MicrofolioError
    from microfolio.services.research import (
        MODEL_NAMES,
        VOL_MODEL_NAMES,
        ResearchConfig,
        load_markets,
        run_research,
        write_outputs,
    )
    from microfolio.store import SqlModelRegistry, Store

    if universe not in UNIVERSES:
        fail(f"--universe must be one of {', '.join(UNIVERSES)}; got {universe!r}")
    if retrain not in RETRAIN:
        fail(f"--retrain must be one of {', '.join(RETRAIN)}; got {retrain!r}")
    overrides: dict[str, object] = {"fast": True} if fast else {}
    overrides["retrain"] = retrain
    if models is not None:
        overrides["models"] = _names(models, "--models", MODEL_NAMES)
    if vol_models is not None:
        overrides["vol_models"] = _names(vol_models, "--vol-models", VOL_MODEL_NAMES)
    first, last = option_date(start, "--start"), option_date(end, "--end")
    if first is not None:
        overrides["test_start"] = first
    if last is not None:
        overrides["end"] = last
    try:
        config = ResearchConfig.for_universe(universe, **overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "config"
        fail(f"{where}: {error['msg']}")
    folder = _out_folder(out)
    created = out is None or not folder.exists()
    url = registry if registry is not None and "://" in registry else None
    if url is None:
        path = folder / REGISTRY_FILE if registry is None else Path(registry)
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path.resolve()}"

    err = Console(stderr=True)
    began = time.perf_counter()
    try:
        with err.status(f"loading the {universe} ...", spinner="dots"):
            data = load_markets(universe, prices, os.environ, Path.cwd())
        if data.market.dropped:
            err.print(
                "left out by the validation gate: " + ", ".join(data.market.dropped),
                markup=False,
            )

        store = Store(url)
        try:
            store.migrate()
            kept = SqlModelRegistry(store)

            def work(progress: Callable[[str, int, int], None]) -> ResearchResult:
                return run_research(
                    config,
                    data.market,
                    progress,
                    workers=workers,
                    bonds=data.bonds,
                    registry=kept,
                )

            result = _run(err, as_json, work)
        finally:
            store.dispose()
        files = write_outputs(result, folder.resolve())
    except MicrofolioError as exc:
        _discard(folder, created, registry is None)
        fail(str(exc))
    except OSError as exc:
        _discard(folder, created, registry is None)
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    elapsed = time.perf_counter() - began
    if as_json:
        payload = result.to_dict()
        payload["report"] = str(files.report)
        payload["json"] = str(files.json)
        payload["registry"] = _shown(url)
        payload["wall_seconds"] = round(elapsed, 1)
        typer.echo(json.dumps(payload, indent=2))
        return
    _print(result, files, elapsed, _shown(url))


def _shown(url: str) -> str:
    """The registry's place: a SQLite file's path, else the URL without its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _discard(folder: Path, created: bool, own_registry: bool) -> None:
    """Remove the registry this command made in the folder, then the folder if this command
    made it and it is empty: a failed run leaves nothing half written."""
    if own_registry:
        (folder / REGISTRY_FILE).unlink(missing_ok=True)
    if created and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _run(
    err: Console, quiet: bool, work: Callable[[Callable[[str, int, int], None]], ResearchResult]
) -> ResearchResult:
    """Run ``work(progress)`` under a Rich progress bar on stderr, one task per stage."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("[bold]{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet and not err.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        return work(progress)


def _print(result: ResearchResult, files: ResearchFiles, elapsed: float, registry: str) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    if not out.is_terminal:
        out = Console(width=120)  # a file or a pipe: wide enough for the tables
    forecasts = Table(title="Return forecasts, out of sample")
    for column in ("model", "IC", "t", "IC non-overl.", "t non-overl.", "hit rate"):
        forecasts.add_column(column, justify="left" if column == "model" else "right")
    for m in result.models:
        forecasts.add_row(
            m.model,
            f"{m.ic:.3f}",
            f"{m.ic_t_stat:.2f}",
            f"{m.ic_honest:.3f}",
            f"{m.ic_honest_t_stat:.2f}",
            f"{m.hit_rate:.1%}",
        )
    out.print(forecasts)
    strategies = Table(title=f"Strategies, net of {result.config.cost_bps:g} bp costs")
    headers = ("strategy", "return", "vol", "Sharpe", "Sortino", "max DD", "turnover", "DSR")
    for column in headers:
        strategies.add_column(column, justify="left" if column == "strategy" else "right")
    for s in result.strategies:
        name = s.name if s.kind == "model" else f"{s.name} (baseline)"
        strategies.add_row(
            name,
            f"{s.annual_return:.2%}",
            f"{s.volatility:.2%}",
            f"{s.sharpe:.2f}",
            f"{s.sortino:.2f}",
            f"{s.max_drawdown:.2%}",
            f"{s.turnover:.0%}",
            f"{s.dsr:.3f}",
        )
    out.print(strategies)
    vol = Table(title=f"Volatility forecasts, {len(result.vol_tickers)} tickers")
    for column in ("model", "mean QLIKE", "tickers won"):
        vol.add_column(column, justify="left" if column == "model" else "right")
    for v in result.volatility:
        vol.add_row(v.model, f"{v.mean_qlike:.4f}", str(v.tickers_won))
    out.print(vol)
    out.print(result.verdict.sentence, markup=False)
    out.print(
        f"test {result.test_start} to {result.test_end}, {result.rebalances} rebalances, "
        f"config {result.config_hash}, data {result.data_version}; {elapsed:.0f} s",
        markup=False,
    )
    out.print(f"report: {files.report}", markup=False)
    out.print(f"json:   {files.json}", markup=False)
    out.print(f"models: {registry}", markup=False)
