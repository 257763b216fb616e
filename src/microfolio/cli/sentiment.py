"""``microfolio sentiment ...``: score news headlines.

``score`` reads one headline per line from FILE (or stdin when FILE is ``-`` or left out; blank
lines are skipped) and prints each headline's label and score in ``[-1, 1]``: a table, or with
``--json`` one JSON object (``scorer``, ``count``, ``results``: line, headline, label, score).
Exit 0 when scored; 2 with one ``error:`` line when the file is missing, unreadable or holds no
headlines. Heavy imports happen inside the command, so ``--help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from microfolio.cli.common import fail

if TYPE_CHECKING:
    from rich.console import Console

    from microfolio.signals.sentiment import SentimentScorer

__all__ = ["ScorerName", "app"]

app = typer.Typer(
    name="sentiment",
    help="Score the sentiment of news headlines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

STDIN = "-"


class ScorerName(StrEnum):
    """The scorers the command offers."""

    LEXICON = "lexicon"
    EMBEDDING = "embedding"


@app.callback()
def _sentiment() -> None:
    """Score the sentiment of news headlines."""


@app.command("score")
def score(
    file: Annotated[
        str,
        typer.Argument(
            help="Text file with one headline per line; '-' or nothing reads stdin.",
            metavar="FILE",
            show_default=False,
        ),
    ] = STDIN,
    scorer: Annotated[
        ScorerName,
        typer.Option(
            "--scorer",
            help="lexicon (VADER + finance lexicon) or embedding (MiniLM + logistic head).",
        ),
    ] = ScorerName.LEXICON,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the results as one JSON object on stdout.")
    ] = False,
) -> None:
    """Label each headline positive, negative or neutral, with its score in [-1, 1]."""
    from microfolio.errors import MicrofolioError

    source, lines = _read_lines(file)
    if not lines:
        fail(f"{source}: no headlines to score (the input is empty or only blank lines)")
    headlines = [text for _, text in lines]
    try:
        model = _scorer(scorer)
        scores = model.score(headlines)
        labels = model.label(headlines)
    except MicrofolioError as exc:
        fail(str(exc))
    results = [
        _Result(number, text, str(label), round(float(value), 4))
        for (number, text), label, value in zip(lines, labels, scores, strict=True)
    ]
    if as_json:
        rows = [result._asdict() for result in results]
        typer.echo(
            json.dumps({"scorer": scorer.value, "count": len(rows), "results": rows}, indent=2)
        )
        return
    _print_table(source, scorer, results)


class _Result(NamedTuple):
    line: int
    headline: str
    label: str
    score: float


def _read_lines(file: str) -> tuple[str, list[tuple[int, str]]]:
    """``(name, [(line number, headline), ...])`` with blank lines left out."""
    if file == STDIN:
        name = "stdin"
        text = typer.get_text_stream("stdin").read()
    else:
        path = Path(file)
        name = path.name or file
        if not path.exists():
            fail(f"{name}: no such file")
        if path.is_dir():
            fail(f"{name}: is a directory, not a file")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            fail(f"{name}: not UTF-8 text")
        except OSError as exc:
            fail(f"{name}: cannot be read ({exc.strerror})")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    return name, lines


def _scorer(name: ScorerName) -> SentimentScorer:
    from rich.console import Console

    from microfolio.signals.sentiment import EmbeddingScorer, LexiconScorer

    if name is ScorerName.LEXICON:
        return LexiconScorer()
    with Console(stderr=True).status("training the embedding scorer on the labelled headlines"):
        return EmbeddingScorer.default()


def _print_table(source: str, scorer: ScorerName, results: list[_Result]) -> None:
    from rich.table import Table
    from rich.text import Text

    styles = {"positive": "green", "negative": "red", "neutral": ""}
    table = Table(title=f"Sentiment of {source} ({scorer.value} scorer)")
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("headline", overflow="fold")
    for row in results:
        table.add_row(
            str(row.line),
            Text(row.label, style=styles[row.label]),
            f"{row.score:+.3f}",
            Text(row.headline),
        )
    _console().print(table)


def _console() -> Console:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)
