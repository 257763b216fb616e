"""``microfolio optimize`` as a user runs it, in process (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from microfolio.cli import app

SHARED_STOCKS = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "stocks_daily.csv.gz"
)
ETFS = "VTI,EFA,AGG,VNQ,GLD,TLT,LQD,EEM"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["optimize", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("equal", ()),
        ("inverse_vol", ()),
        ("min_variance", ()),
        ("max_sharpe", ()),
        ("target_vol", ("--target-vol", "0.06")),
        ("target_return", ("--target-return", "0.04")),
        ("hrp", ()),
        ("erc", ()),
    ],
)
def test_every_method_prints_weights_that_sum_to_one_with_cash(
    method: str, extra: tuple[str, ...]
) -> None:
    code, out, err = _run(
        "--method", method, "--tickers", ETFS, "--min-cash", "0.02", "--json", *extra
    )

    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= {
        "weights",
        "cash",
        "expected_return",
        "volatility",
        "sharpe",
        "risk_contributions",
        "fallback_chain",
    }
    assert result["cash"] == pytest.approx(0.02)
    assert sum(result["weights"].values()) + result["cash"] == pytest.approx(1.0, abs=1e-6)
    assert set(result["weights"]) <= set(ETFS.split(","))
    assert all(w >= -1e-9 for w in result["weights"].values())
    assert sum(result["risk_contributions"].values()) == pytest.approx(1.0, abs=1e-6)
    assert result["volatility"] > 0
    assert result["fallback_chain"]


def test_max_weight_is_honoured() -> None:
    code, out, err = _run("--method", "max_sharpe", "--max-weight", "0.10", "--json")

    assert code == 0, err
    weights = json.loads(out)["weights"]
    assert max(weights.values()) <= 0.10 + 1e-8
    assert len(weights) >= 10


def test_target_vol_is_met() -> None:
    code, out, err = _run(
        "--method", "target_vol", "--tickers", ETFS, "--target-vol", "0.05", "--json"
    )

    assert code == 0, err
    assert json.loads(out)["volatility"] == pytest.approx(0.05, abs=1e-4)


def test_an_unknown_ticker_is_one_clear_line() -> None:
    code, _, err = _run("--method", "hrp", "--tickers", "VTI,NOPE")

    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("error: unknown ticker(s): NOPE")


def test_impossible_caps_are_explained_in_words() -> None:
    code, _, err = _run(
        "--method", "min_variance", "--tickers", "VTI,AGG,GLD", "--max-weight", "0.2"
    )

    assert code == 2
    assert "upper bounds sum to 0.60" in err
    assert "Traceback" not in err


def test_a_method_that_needs_a_parameter_says_so() -> None:
    code, _, err = _run("--method", "target_vol")

    assert code == 2
    assert "--target-vol" in err


def test_a_file_that_is_not_prices_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")

    code, _, err = _run("--method", "equal", "--prices", str(junk))

    assert code == 2
    assert err.startswith("error:")
    assert err.count("\n") == 1


def test_an_unknown_method_is_refused() -> None:
    code, _, err = _run("--method", "astrology")

    assert code == 2
    assert "--method must be one of" in err


@pytest.mark.skipif(not SHARED_STOCKS.exists(), reason="../shared/data is not beside the repo")
def test_the_500_stocks_optimise_with_bad_tickers_dropped() -> None:
    code, out, err = _run(
        "--method",
        "min_variance",
        "--prices",
        str(SHARED_STOCKS),
        "--max-weight",
        "0.05",
        "--drop-bad-tickers",
        "--json",
    )

    assert code == 0, err
    result = json.loads(out)
    assert max(result["weights"].values()) <= 0.05 + 1e-8
    assert any("dropped for bad data" in note for note in result["notes"])


def test_black_litterman_with_the_readme_views_file(tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    views.write_text(
        '[{"type": "absolute", "asset": "VTI", "return": 0.06, "confidence": 0.5},'
        ' {"type": "relative", "long": "EFA", "short": "AGG", "return": "2%",'
        ' "confidence": "80%"}]'
    )

    code, out, err = _run(
        "--method", "black_litterman", "--views", str(views), "--tickers", ETFS, "--json"
    )

    assert code == 0, err
    result = json.loads(out)
    assert sum(result["weights"].values()) + result["cash"] == pytest.approx(1.0, abs=1e-6)
    assert result["fallback_chain"][0].startswith("black_litterman: posterior from 2 view(s)")


def test_a_view_on_an_unknown_ticker_is_refused(tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    views.write_text('[{"type": "absolute", "asset": "NOPE", "return": 0.06}]')

    code, _, err = _run("--method", "black_litterman", "--views", str(views), "--tickers", ETFS)

    assert code == 2
    assert "NOPE" in err
    assert err.count("\n") == 1
