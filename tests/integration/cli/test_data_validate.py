"""``microfolio data validate``: exit 0 usable, 1 blocked, 2 not prices; JSON on request."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from microfolio.cli.data import app as data_app
from microfolio.data import load_bundled_bars

BUNDLED = Path(str(resources.files("microfolio.data").joinpath("bundled", "etfs_daily.csv.gz")))
PRICES = ["open", "high", "low", "close"]
#: (kind, ticker, date) of the faults written into the faulty copy of the bundled file
FAULTS = {
    ("non_positive", "VTI", "2012-06-01"),
    ("outlier", "IVV", "2014-06-04"),
    ("duplicate", "AGG", "2015-05-05"),
    ("stale", "GLD", "2013-02-01"),
    ("ohlc_inconsistent", "TLT", "2016-08-08"),
}


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """The root app as the lead registers it: ``app.add_typer(data_app, name="data")``."""
    root = typer.Typer()
    root.add_typer(data_app, name="data")
    return root


def run(cli: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["data", "validate", *args])
    return result.exit_code, result.stdout, result.stderr


def _at(bars: pd.DataFrame, ticker: str, date: str) -> int:
    return int(bars.index[(bars["ticker"] == ticker) & (bars["date"] == date)][0])


@pytest.fixture(scope="module")
def faulty_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled file with a zero price, a 100x spike, a duplicate row, a close
    frozen for 10 sessions and a high below the low."""
    bars = load_bundled_bars()
    bars.loc[_at(bars, "VTI", "2012-06-01"), PRICES] = 0.0
    bars.loc[_at(bars, "IVV", "2014-06-04"), PRICES] *= 100.0
    gld = bars.index[(bars["ticker"] == "GLD") & (bars["date"] >= "2013-02-01")][:10]
    bars.loc[gld, PRICES] = bars.loc[gld[0], "close"]
    tlt = _at(bars, "TLT", "2016-08-08")
    bars.loc[tlt, "high"] = bars.loc[tlt, "low"] * 0.9
    bars = pd.concat([bars, bars.loc[[_at(bars, "AGG", "2015-05-05")]]], ignore_index=True)
    path = tmp_path_factory.mktemp("faulty") / "faulty.csv"
    bars.assign(date=bars["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


def test_clean_bundled_file_is_usable_and_lists_its_real_findings(cli) -> None:
    code, out, _ = run(cli, str(BUNDLED), "--limit", "0")

    assert code == 0
    assert "Findings in etfs_daily.csv.gz" in out
    assert "JNK" in out
    assert "PCY" in out
    assert "137,870 rows, 54 tickers, 2005-02-25 to 2017-11-10" in out
    assert "data version 10d7716b84e492e0" in out
    assert "findings: gap 68, outlier 2, stale 1; usable" in out


def test_json_mode_prints_only_the_findings_on_stdout(cli) -> None:
    code, out, err = run(cli, str(BUNDLED), "--json")

    findings = json.loads(out)
    assert code == 0
    assert len(findings) == 71
    assert all(set(f) == {"kind", "ticker", "date", "detail", "blocking"} for f in findings)
    assert not any(f["blocking"] for f in findings)
    assert {"kind": "stale", "ticker": "SHY", "date": "2012-12-05"}.items() <= next(
        f for f in findings if f["kind"] == "stale"
    ).items()
    assert "usable" in err


def test_injected_faults_are_each_reported_and_block(cli, faulty_file: Path) -> None:
    code, out, err = run(cli, str(faulty_file), "--json")

    blocking = {(f["kind"], f["ticker"], f["date"]) for f in json.loads(out) if f["blocking"]}
    assert code == 1
    assert blocking == FAULTS
    assert "BLOCKED by 5 issues" in err


def test_table_mode_shows_blocking_findings_first(cli, faulty_file: Path) -> None:
    code, out, _ = run(cli, str(faulty_file), "--limit", "5")

    assert code == 1
    for _, ticker, date in FAULTS:
        assert ticker in out
        assert date in out
    assert "more not shown" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "prices.csv",
            b"date,ticker,open\n2016-01-04,AAA,1\n",
            "error: prices.csv: missing columns close",
        ),
        ("empty.csv", b"", "error: empty.csv: empty file"),
        (
            "blob.csv",
            bytes(range(256)) * 8,
            "error: blob.csv: binary data, not a CSV or Parquet file",
        ),
        ("dates.csv", b"date,ticker,close\nsoon,AAA,1\n", "error: dates.csv: unparsable dates"),
    ],
)
def test_a_file_that_is_not_prices_exits_2_with_one_error_line(
    cli, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    code, out, err = run(cli, str(path))

    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_missing_file_exits_2(cli, tmp_path: Path) -> None:
    code, _, err = run(cli, str(tmp_path / "nope.csv"))

    assert (code, err) == (2, "error: nope.csv: no such file\n")


def test_a_policy_file_changes_the_verdict(cli, tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    strict.write_text('{"gap": "block"}')

    code, out, _ = run(cli, str(BUNDLED), "--policy", str(strict))

    assert code == 1
    assert "gap 68 (68 blocking)" in out


def test_a_bad_policy_file_exits_2(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('stale = "repair"\n')

    code, _, err = run(cli, str(BUNDLED), "--policy", str(bad))

    assert code == 2
    assert err.startswith("error: bad.toml: ")


def test_installed_command_exits_by_verdict(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "microfolio"
    if not exe.exists():
        pytest.skip(f"{exe} is not installed")
    wrong = tmp_path / "prices.csv"
    wrong.write_text("when,what\n1,2\n")

    clean = subprocess.run(
        [str(exe), "data", "validate", str(BUNDLED), "--json"], capture_output=True, text=True
    )
    broken = subprocess.run(
        [str(exe), "data", "validate", str(wrong)], capture_output=True, text=True
    )

    assert clean.returncode == 0
    assert len(json.loads(clean.stdout)) == 71
    assert broken.returncode == 2
    assert broken.stderr == "error: prices.csv: missing columns date\n"
