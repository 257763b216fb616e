"""``microfolio onboard``: a client's answers in, risk profile and assigned model out.

The answers file format is described in :mod:`microfolio.services.onboard`; a sample lives at
``tests/integration/cli/data/answers_sample.json``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from microfolio.cli.common import fail, option_date
from microfolio.errors import MicrofolioError

__all__ = ["onboard"]


def _as_of(value: str | None) -> date:
    from microfolio.clock import SystemClock

    return option_date(value, "--as-of") or SystemClock().today()


def onboard(
    answers: Annotated[
        Path, typer.Option(help="JSON answers file (questionnaire version, answers, goal).")
    ],
    as_of: Annotated[
        str | None, typer.Option(help="Date of onboarding (YYYY-MM-DD; default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score a client's risk questionnaire and assign a model portfolio."""
    from microfolio.services.onboard import onboard as run_onboard
    from microfolio.services.onboard import read_answers

    day = _as_of(as_of)
    try:
        result = run_onboard(read_answers(answers), day)
    except MicrofolioError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    profile = result.profile
    console = Console()
    table = Table(title=f"Risk questionnaire {profile.questionnaire_version}")
    for column in ("question", "dimension", "answer", "points"):
        table.add_column(column)
    for q in profile.breakdown:
        table.add_row(q.question, q.dimension, q.option, f"{q.points}/{q.max_points}")
    console.print(table)
    console.print(
        f"willingness {profile.willingness:.2f}/10, capacity {profile.capacity:.2f}/10, "
        f"score {profile.score:.2f}, level {profile.level}"
    )
    for rule in profile.rules:
        console.print(f"rule {rule.rule}: {rule.detail} (effect {rule.effect:+.2f})")
    console.print(
        f"goal {result.goal.type.value} on {result.goal.target_date.isoformat()}: "
        f"glide path {result.glide.start} -> {result.risk_level} as of {day.isoformat()} "
        f"(floor {result.glide.floor})"
    )
    console.print(f"assigned model: {result.model}")
