"""``microfolio onboard`` as a user runs it, in process (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from microfolio.cli import app

SAMPLE = Path(__file__).resolve().parent / "data" / "answers_sample.json"
AS_OF = "2026-01-15"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["onboard", *args])
    return result.exit_code, result.stdout, result.stderr


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_sample_prints_profile_breakdown_and_model() -> None:
    code, out, err = _run("--answers", str(SAMPLE), "--as-of", AS_OF)

    assert code == 0, err
    assert "drop_reaction" in out
    assert "min_rule" in out
    assert "assigned model: model-6" in out


def test_json_has_the_documented_keys() -> None:
    code, out, err = _run("--answers", str(SAMPLE), "--as-of", AS_OF, "--json")

    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {
        "questionnaire_version",
        "as_of",
        "goal",
        "profile",
        "glide_path",
        "risk_level",
        "model",
    }
    assert set(data["goal"]) == {"type", "target_date", "years_left"}
    assert set(data["glide_path"]) == {"start", "floor", "level"}
    assert set(data["profile"]) == {
        "questionnaire_version",
        "willingness",
        "capacity",
        "score",
        "level",
        "breakdown",
        "rules",
    }
    assert data["questionnaire_version"] == data["profile"]["questionnaire_version"] == "v1"
    assert data["as_of"] == AS_OF
    assert data["model"] == f"model-{data['risk_level']}"
    assert len(data["profile"]["breakdown"]) == 6
    assert set(data["profile"]["breakdown"][0]) == {
        "question",
        "dimension",
        "option",
        "points",
        "max_points",
    }
    assert set(data["profile"]["rules"][0]) == {"rule", "detail", "effect"}


def test_glide_path_lowers_the_assigned_level_near_the_date(tmp_path: Path) -> None:
    data = _sample()
    data["answers"]["horizon"] = "3_to_7y"
    data["goal"] = {"type": "major_purchase", "target_date": "2029-06-30"}

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF, "--json")

    assert code == 0, err
    result = json.loads(out)
    assert result["risk_level"] < result["profile"]["level"]


def test_missing_answer_names_the_question(tmp_path: Path) -> None:
    data = _sample()
    del data["answers"]["net_worth_vs_goal"]

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "net_worth_vs_goal", "missing answer")


def test_unknown_question_id_is_named(tmp_path: Path) -> None:
    data = _sample()
    data["answers"]["favourite_colour"] = "blue"

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "favourite_colour", "unknown question")


def test_unknown_option_is_named_with_the_choices(tmp_path: Path) -> None:
    data = _sample()
    data["answers"]["drop_reaction"] = "panic"

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "drop_reaction", "'panic'", "sell_all")


def test_contradictory_horizon_and_goal_date_is_named(tmp_path: Path) -> None:
    data = _sample()
    data["goal"]["target_date"] = "2027-01-01"

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "'horizon'", "contradicts")


def test_unknown_questionnaire_version_is_refused(tmp_path: Path) -> None:
    data = _sample()
    data["questionnaire_version"] = "v999"

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "v999", "v1")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.pop("goal"), "goal"),
        (lambda d: d["goal"].update(type="yacht"), "goal.type"),
        (lambda d: d["goal"].update(target_date="soon"), "goal.target_date"),
        (lambda d: d.update(answers=["hold"]), "answers"),
    ],
    ids=["extra-key", "no-goal", "bad-goal-type", "bad-date", "answers-not-a-map"],
)
def test_malformed_answers_file_names_the_field(tmp_path: Path, change: Any, needle: str) -> None:
    data = _sample()
    change(data)

    code, out, err = _run("--answers", str(_write(tmp_path, data)), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, needle)


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text("{not json", encoding="utf-8")

    code, out, err = _run("--answers", str(path), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "not readable JSON")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    code, out, err = _run("--answers", str(tmp_path / "nope.json"), "--as-of", AS_OF)

    _assert_one_line_error(code, out, err, "nope.json", "does not exist")


def test_bad_as_of_is_refused() -> None:
    code, out, err = _run("--answers", str(SAMPLE), "--as-of", "15/01/2026")

    _assert_one_line_error(code, out, err, "--as-of", "15/01/2026")
