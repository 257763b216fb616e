"""``microfolio research`` as a user runs it: a short study on the bundled ETFs, and the errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "microfolio.cli", "research"]


def run(args: list[str], cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
        env={**os.environ, "OMP_NUM_THREADS": "1", **env},
    )


def test_a_short_study_prints_json_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "study"

    done = run(
        [
            "--universe",
            "etfs",
            "--models",
            "momentum,zero",
            "--vol-models",
            "ewma,har",
            "--start",
            "2011-01-01",
            "--end",
            "2011-12-30",
            "--fast",
            "--workers",
            "2",
            "--out",
            str(out),
            "--json",
        ]
    )

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["universe"] == "etfs"
    assert payload["test_start"] == "2011-01-03"
    assert payload["test_end"] == "2011-12-30"
    assert [m["model"] for m in payload["models"]] == ["momentum", "zero"]
    names = [s["name"] for s in payload["strategies"]]
    assert names == [
        "momentum",
        "zero",
        "champion",
        "equal_weight",
        "inverse_vol",
        "sixty_forty",
        "min_variance",
    ]
    # a year of test is too short a record for any calibration: no views, so momentum, zero,
    # the champion and equal weight are one strategy, counted once
    repeats = {s["name"]: s["same_as"] for s in payload["strategies"] if s["same_as"]}
    assert repeats == {"zero": "momentum", "champion": "momentum", "equal_weight": "momentum"}
    assert all(s["n_trials"] == 4 for s in payload["strategies"])
    assert Path(payload["registry"]) == out / "models.db"
    assert payload["lifecycle"]["kind"].startswith("return:etfs:21d:")
    assert payload["retraining"]["momentum"]["refits"] == 4  # 2011 in blocks of 63 sessions
    assert payload["verdict"]["sentence"]
    assert payload["tickers"] == 49  # the 54 ETFs less five that list after 2011
    assert {p["use"] for p in payload["periods"]} >= {
        "first training window",
        "test (out of sample)",
    }
    assert Path(payload["report"]) == (out / "report.html").resolve()
    written = json.loads((out / "research.json").read_text())
    assert written["strategies"] == payload["strategies"]
    html = (out / "report.html").read_text()
    assert '<script src="http' not in html
    assert "Verdict" in html


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--universe", "bonds"], {}, "error: --universe must be one of etfs, stocks; got 'bonds'"),
        (
            ["--universe", "stocks", "--prices", "nope.csv.gz"],
            {},
            "error: --prices nope.csv.gz: no such file",
        ),
        (
            ["--universe", "stocks"],
            {"MICROFOLIO_STOCKS_FILE": "missing.csv.gz"},
            "error: MICROFOLIO_STOCKS_FILE=missing.csv.gz: no such file",
        ),
        (["--models", "momentum,oracle"], {}, "error: --models must name some of"),
        (["--start", "2011-13-01"], {}, "error: --start must be a date YYYY-MM-DD"),
        (["--retrain", "sometimes"], {}, "error: --retrain must be one of schedule, trigger"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    done = run([*args, "--out", str(tmp_path / "out")], cwd=tmp_path, **env)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(message)
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    done = run(["--out", str(tmp_path)])

    assert done.returncode == 2
    assert done.stderr.strip() == f"error: --out {tmp_path} is not empty; give a new folder"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
