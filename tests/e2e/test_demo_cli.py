"""The demo as a user runs it: the console script, a short period, files on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "microfolio.cli"]


def test_demo_runs_end_to_end_and_writes_report_and_summary(tmp_path: Path) -> None:
    work = tmp_path / "demo"

    done = subprocess.run(
        [
            *CLI,
            "demo",
            "--work-dir",
            str(work),
            "--start",
            "2008-09-02",
            "--end",
            "2008-12-31",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["start"] == "2008-09-02"
    assert summary["end"] == "2008-12-31"
    assert set(summary["accounts"]) == {
        "Taxable (fractional)",
        "Spouse taxable (whole shares)",
        "IRA (fractional)",
    }
    for account in summary["accounts"].values():
        assert account["final_value"] > 0
        assert account["trades"] > 0
        assert account["max_drawdown"] < 0  # autumn 2008 fell
    assert (work / "microfolio.db").is_file()
    trades = (work / "trades.csv").read_text().splitlines()
    assert trades[0].startswith("date,household,account,account_type,ticker,side,quantity,price")
    assert len(trades) - 1 == sum(a["trades"] for a in summary["accounts"].values())
    assert json.loads((work / "summary.json").read_text())["accounts"] == summary["accounts"]
    tax = summary["tax"]
    # autumn 2008: the taxable accounts harvest losses, and no trade of the engine is a wash sale
    assert float(tax["harvested_losses"]["2008"]) > 0
    assert tax["disallowed_losses"] == "0"
    assert tax["wash_sales"] == 0
    assert 0 < tax["harvesting_yield"]["2008"] < 1
    html = (work / "report.html").read_text()
    assert "Spouse taxable (whole shares)" in html
    assert "Tax view" in html
    assert '<script src="http' not in html


def test_demo_refuses_a_work_dir_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")

    done = subprocess.run(
        [*CLI, "demo", "--work-dir", str(tmp_path)], capture_output=True, text=True, check=False
    )

    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:")
    assert "not empty" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("start", "end"), [("2010-13-01", "2011-01-01"), ("2012-01-01", "2011-01-01")]
)
def test_demo_refuses_bad_dates(start: str, end: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "demo", "--work-dir", str(tmp_path / "w"), "--start", start, "--end", end],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
