"""``microfolio models``: what a model registry holds (a research run's ``models.db``, or the
production database).

* ``models list``: every kind with its champion and how many models are challengers, champion
  or retired; with ``--kind``, every model of that kind (training window, validation, status).
* ``models show MODEL_ID``: one model's record (training window, data version, parameters,
  validation scores) and every event of its kind that names it, with the reasons.
* ``models history KIND``: every registration, promotion and retirement of a kind, in order.

Each reads only (a missing SQLite file is refused, never created); ``--json`` prints the same
as JSON. Errors are one ``error:`` line and exit 2.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from microfolio.cli.common import database_url, fail

if TYPE_CHECKING:
    from rich.console import Console

    from microfolio.signals.monitor import ModelRecord, RegistryEvent
    from microfolio.store import UnitOfWork

__all__ = ["app"]

T = TypeVar("T")

app = typer.Typer(help="The model registry: champions, challengers and their history.")

DbOption = Annotated[
    str | None,
    typer.Option(help="SQLite file or database URL (default: $MICROFOLIO_DATABASE_URL)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _read(db: str | None, reader: Callable[[UnitOfWork], T]) -> T:
    """``reader`` run in one unit of work on the registry of ``--db``; a microfolio error
    becomes one ``error:`` line."""
    from microfolio.errors import MicrofolioError
    from microfolio.store import Store
    from microfolio.store.database import DATABASE_URL_ENV

    url = database_url(db)
    if url is None and not os.environ.get(DATABASE_URL_ENV):
        fail(f"no database: pass --db FILE_OR_URL or set {DATABASE_URL_ENV}")
    store = Store.open(url)
    try:
        with store.unit_of_work() as uow:
            return reader(uow)
    except MicrofolioError as exc:
        fail(str(exc))
    finally:
        store.dispose()


def _summary(record: ModelRecord) -> dict[str, Any]:
    return {
        "model_id": record.model_id,
        "status": str(record.status),
        "created": record.created.isoformat(),
        "train_start": record.train_start.isoformat(),
        "train_end": record.train_end.isoformat(),
        "validation": record.validation.to_dict(),
    }


@app.command("list")
def list_models(
    db: DbOption = None,
    kind: Annotated[str | None, typer.Option(help="List every model of this kind.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every kind with its champion and counts; or every model of ``--kind``."""

    def read(uow: UnitOfWork) -> dict[str, tuple[ModelRecord, ...]]:
        kinds = uow.model_kinds()
        if kind is not None and kind not in kinds:
            fail(f"no model of kind {kind!r} is registered; kinds: {', '.join(kinds) or 'none'}")
        return {k: uow.models(k) for k in ([kind] if kind is not None else kinds)}

    records = _read(db, read)
    if kind is not None:
        rows = [_summary(r) for r in records[kind]]
        if as_json:
            typer.echo(json.dumps({"kind": kind, "models": rows}, indent=2))
            return
        _print_models(kind, rows)
        return
    overview: list[dict[str, Any]] = []
    for name, found in records.items():
        counts = Counter(str(r.status) for r in found)
        champion = next((r.model_id for r in found if str(r.status) == "champion"), None)
        overview.append(
            {
                "kind": name,
                "champion": champion,
                "models": len(found),
                "challengers": counts["challenger"],
                "retired": counts["retired"],
            }
        )
    if as_json:
        typer.echo(json.dumps({"kinds": overview}, indent=2))
        return
    from rich.table import Table

    table = Table(title="Model registry")
    for column in ("kind", "champion", "models", "challengers", "retired"):
        table.add_column(
            column, justify="right" if column in ("models", "challengers", "retired") else "left"
        )
    for item in overview:
        table.add_row(
            str(item["kind"]),
            str(item["champion"] or "-"),
            str(item["models"]),
            str(item["challengers"]),
            str(item["retired"]),
        )
    _console().print(table)


def _console() -> Console:
    """Rich's console; wide enough for the tables when writing to a file or a pipe."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def _print_models(kind: str, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=f"Models of {kind}")
    for column in ("model", "status", "created", "trained on", "validation"):
        table.add_column(column)
    for row in rows:
        scores = row["validation"]["scores"]
        shown = ", ".join(f"{k} {v:.4g}" for k, v in scores.items())
        table.add_row(
            row["model_id"],
            row["status"],
            row["created"],
            f"{row['train_start']}..{row['train_end']}",
            f"{row['validation']['start']}..{row['validation']['end']}: {shown}",
        )
    _console().print(table)


@app.command()
def show(
    model_id: Annotated[str, typer.Argument(help="The model's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One model's record and the events that name it."""

    def read(uow: UnitOfWork) -> tuple[ModelRecord, list[RegistryEvent]]:
        found = uow.model(model_id)
        return found, [e for e in uow.model_history(found.kind) if e.model_id == model_id]

    record, events = _read(db, read)
    payload = json.loads(record.to_json()) | {
        "events": [
            {"sequence": e.sequence, "action": str(e.action), "reason": e.reason} for e in events
        ]
    }
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    console = _console()
    console.print(f"{record.model_id} ({record.status}) of {record.kind}", markup=False)
    console.print(
        f"trained on {record.train_start}..{record.train_end}, data {record.data_version}, "
        f"created {record.created}",
        markup=False,
    )
    console.print(f"parameters: {json.dumps(payload['params'], sort_keys=True)}", markup=False)
    console.print(f"validation: {json.dumps(payload['validation'])}", markup=False)
    for event in events:
        console.print(f"#{event.sequence} {event.action}: {event.reason}", markup=False)


@app.command()
def history(
    kind: Annotated[str, typer.Argument(help="The kind (see models list).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every registration, promotion and retirement of a kind, oldest first."""
    events = _read(db, lambda uow: uow.model_history(kind))
    if not events:
        fail(f"no model of kind {kind!r} is registered")
    rows = [
        {
            "sequence": e.sequence,
            "model_id": e.model_id,
            "action": str(e.action),
            "reason": e.reason,
        }
        for e in events
    ]
    if as_json:
        typer.echo(json.dumps({"kind": kind, "events": rows}, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"History of {kind}")
    for column in ("#", "model", "action", "reason"):
        table.add_column(column, justify="right" if column == "#" else "left")
    for row in rows:
        table.add_row(
            str(row["sequence"]), str(row["model_id"]), str(row["action"]), str(row["reason"])
        )
    _console().print(table)
