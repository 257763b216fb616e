"""The demo as a user runs it: the console script, a short period, files on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "microfolio.cli"]


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("e2e") / "demo"
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
    return work, done


def test_demo_runs_end_to_end_and_writes_report_and_summary(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, done = demo_run

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


def test_tax_report_reads_the_demo_store_and_agrees_with_its_summary(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, done = demo_run
    assert done.returncode == 0, done.stderr
    summary_tax = json.loads(done.stdout)["tax"]

    report = subprocess.run(
        [
            *CLI,
            "tax",
            "report",
            "--household",
            "hh-demo",
            "--db",
            str(work / "microfolio.db"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    lines = data["accounts"]
    # harvests happen in the two taxable accounts only, and add up to the demo's figure
    harvested = {line["account_id"]: float(line["harvested"]) for line in lines}
    assert harvested["acct-taxable"] > 0
    assert harvested["acct-spouse"] > 0
    assert all(
        not line["taxable"] and line["harvested"] == "0.00"
        for line in lines
        if line["account_id"] == "acct-ira"
    )
    assert float(data["harvested"]) == pytest.approx(
        float(summary_tax["harvested_losses"]["2008"]), abs=0.01
    )
    assert data["disallowed"] == "0.00"
    assert data["wash_sales"] == 0
    # the household's 2008 taxes: at most $3,000 deducted, the rest carried forward
    (year,) = data["taxes"]
    taxable_net = sum(float(line["net"]) for line in lines if line["taxable"])
    assert year["year"] == 2008
    assert float(year["loss_deducted"]) == pytest.approx(min(3000.0, -taxable_net), abs=0.01)
    carried = float(year["carryforward_short"]) + float(year["carryforward_long"])
    assert carried == pytest.approx(-taxable_net - float(year["loss_deducted"]), abs=0.01)

    missing = subprocess.run(
        [*CLI, "tax", "report", "--household", "hh-demo", "--db", str(work / "nope.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: --db {work / 'nope.db'}: no such database file"
    assert not (work / "nope.db").exists()


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
