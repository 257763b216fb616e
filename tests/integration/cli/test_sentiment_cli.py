"""``microfolio sentiment score`` as a user runs it, in process (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from microfolio.cli import app

HEADLINES = (
    "Acme Corp beats estimates and raises guidance\n"
    "\n"
    "Regional lender files for Chapter 11 bankruptcy\n"
    "Treasury yields little changed ahead of the jobs report\n"
)


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> None:
    torch.set_num_threads(1)


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["sentiment", "score", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _file(tmp_path: Path, text: str = HEADLINES) -> Path:
    path = tmp_path / "headlines.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_lexicon_table_shows_label_and_score_per_headline(tmp_path: Path) -> None:
    code, out, err = _run(str(_file(tmp_path)))

    assert code == 0, err
    assert "Sentiment of headlines.txt (lexicon scorer)" in out
    rows = [line for line in out.splitlines() if "Acme Corp" in line or "Chapter 11" in line]
    assert "positive" in rows[0]
    assert "negative" in rows[1]


def test_json_gives_line_numbers_labels_and_bounded_scores(tmp_path: Path) -> None:
    code, out, err = _run(str(_file(tmp_path)), "--json")

    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    assert data["scorer"] == "lexicon"
    assert data["count"] == 3
    assert [r["line"] for r in data["results"]] == [1, 3, 4]  # the blank line is skipped
    assert [r["label"] for r in data["results"]][:2] == ["positive", "negative"]
    assert all(-1.0 <= r["score"] <= 1.0 for r in data["results"])
    assert set(data["results"][0]) == {"line", "headline", "label", "score"}


def test_stdin_is_read_with_a_dash_or_no_file() -> None:
    code, out, err = _run("-", "--json", stdin=HEADLINES)
    code_bare, out_bare, _ = _run("--json", stdin=HEADLINES)

    assert code == 0, err
    assert code_bare == 0
    assert json.loads(out) == json.loads(out_bare)
    assert json.loads(out)["count"] == 3


def test_embedding_scorer_labels_clear_headlines(tmp_path: Path) -> None:
    code, out, err = _run(str(_file(tmp_path)), "--scorer", "embedding", "--json")

    assert code == 0, err
    data = json.loads(out)
    assert data["scorer"] == "embedding"
    labels = [r["label"] for r in data["results"]]
    assert labels[:2] == ["positive", "negative"]
    assert all(-1.0 <= r["score"] <= 1.0 for r in data["results"])


def test_missing_file_is_one_error_line_with_exit_2(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "absent.txt"))

    _assert_one_line_error(code, err, "absent.txt", "no such file")


def test_empty_input_is_one_clear_error_line(tmp_path: Path) -> None:
    code, _, err = _run(str(_file(tmp_path, "\n  \n")))
    code_stdin, _, err_stdin = _run(stdin="")

    _assert_one_line_error(code, err, "headlines.txt", "no headlines to score")
    _assert_one_line_error(code_stdin, err_stdin, "stdin", "no headlines to score")


def test_an_unknown_scorer_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run(str(_file(tmp_path)), "--scorer", "magic")

    assert code == 2
    assert "magic" in err
