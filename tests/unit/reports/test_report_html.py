"""The HTML report: content, offline, one plotly.js, figure JSON, atomic writes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError
from microfolio.reports import figures as figures_module
from microfolio.reports import render_backtest_report, write_backtest_report
from microfolio.risk import PerformanceSummary, summarise

ALICE = "Alice: growth"
BOB = "Bob <conservative> & co"
FIGURE = re.compile(
    r'<script type="application/json" class="plotly-figure" data-target="([^"]+)">(.*?)</script>',
    re.DOTALL,
)


def make_account(seed: int, n: int = 300) -> dict[str, Any]:
    """A seeded account: monthly deposits held in three funds and a little cash."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2022-01-03", periods=n)
    flows = pd.Series(0.0, index=index)
    flows[~pd.Series(index.to_period("M"), index=index).duplicated()] = 1000.0
    returns = rng.normal(3e-4, 0.01, size=n)
    values, previous = [], 0.0
    for r, f in zip(returns, flows, strict=True):
        previous = (previous + f) * (1.0 + r)
        values.append(previous)
    value = pd.Series(values, index=index)
    weights = pd.DataFrame({"VTI": 0.6, "BND": 0.3, "VXUS": 0.08, "cash": 0.02}, index=index)
    traded = flows.copy()
    summary = summarise(value, flows, traded=traded, costs=traded * 5e-4, trades=12 + seed)
    return {"summary": summary, "values": value, "flows": flows, "weights": weights}


def write(path: Path, accounts: dict[str, dict[str, Any]], notes: tuple[str, ...] = ()) -> Path:
    return write_backtest_report(
        path,
        title="Backtest <demo>",
        summaries={name: a["summary"] for name, a in accounts.items()},
        values={name: a["values"] for name, a in accounts.items()},
        flows={name: a["flows"] for name, a in accounts.items()},
        weights={name: a["weights"] for name, a in accounts.items()},
        notes=notes,
    )


@pytest.fixture(scope="module")
def accounts() -> dict[str, dict[str, Any]]:
    return {ALICE: make_account(1), BOB: make_account(2)}


def test_report_is_written_with_a_section_and_the_summary_numbers_per_account(
    tmp_path: Path, accounts: dict[str, dict[str, Any]]
) -> None:
    path = write(tmp_path / "out" / "report.html", accounts)

    page = path.read_text(encoding="utf-8")
    assert path == tmp_path / "out" / "report.html"
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Backtest &lt;demo&gt;</title>" in page
    for i, name in enumerate([ALICE, BOB], start=1):
        s: PerformanceSummary = accounts[name]["summary"]
        assert f'<section class="account" id="account-{i}">' in page
        assert f"<h2>{name.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}" in page
        for number in (
            f"{s.final_value:,.2f}",
            f"{s.cagr * 100:.2f}%",
            f"{s.volatility * 100:.2f}%",
            f"{s.sharpe:.2f}",
            f"{s.sortino:.2f}",
            f"{s.max_drawdown * 100:.2f}%",
            f"{s.turnover * 100:.0f}%",
            f"{s.total_costs:,.2f}",
            f">{s.trades}<",
        ):
            assert number in page, number
    assert "<conservative>" not in page  # names are escaped, never markup


def test_report_is_offline_with_plotly_js_embedded_once(
    tmp_path: Path, accounts: dict[str, dict[str, Any]]
) -> None:
    page = write(tmp_path / "report.html", accounts).read_text(encoding="utf-8")

    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert not re.search(r"@import", page)
    assert page.count("* plotly.js v") == 1


def test_report_holds_plotly_json_for_three_figures_per_account(
    tmp_path: Path, accounts: dict[str, dict[str, Any]]
) -> None:
    page = write(tmp_path / "report.html", accounts).read_text(encoding="utf-8")

    figures = {target: json.loads(body) for target, body in FIGURE.findall(page)}
    assert set(figures) == {
        f"fig-{i}-{k}" for i in (1, 2) for k in ("equity", "drawdown", "weights")
    }
    for target, figure in figures.items():
        assert f'<div class="figure" id="{target}"></div>' in page
        assert figure["data"]
        assert "layout" in figure
    assert [t["name"] for t in figures["fig-1-weights"]["data"]] == ["VTI", "BND", "VXUS", "cash"]
    assert figures["fig-2-drawdown"]["data"][0]["fill"] == "tozeroy"
    assert page.count("Plotly.newPlot(") == 1  # one loader draws every figure


def test_notes_are_listed_escaped_after_the_definitions(
    tmp_path: Path, accounts: dict[str, dict[str, Any]]
) -> None:
    notes = ("data version: abc123", "config hash: <9f2e>", "period: 2022-01-03 to 2023-02-24")

    page = write(tmp_path / "report.html", accounts, notes).read_text(encoding="utf-8")

    assert "<li>data version: abc123</li>" in page
    assert "<li>config hash: &lt;9f2e&gt;</li>" in page
    assert "time-weighted" in page


def test_rendering_is_deterministic(accounts: dict[str, dict[str, Any]]) -> None:
    def render() -> str:
        return render_backtest_report(
            "t",
            {n: a["summary"] for n, a in accounts.items()},
            {n: a["values"] for n, a in accounts.items()},
            {n: a["flows"] for n, a in accounts.items()},
            {n: a["weights"] for n, a in accounts.items()},
        )

    assert render() == render()


def test_a_failure_while_building_leaves_no_file(
    tmp_path: Path, accounts: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = figures_module.weights_figure

    def fail_on_second_account(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr("microfolio.reports.html.weights_figure", fail_on_second_account)

    with pytest.raises(RuntimeError, match="boom"):
        write(tmp_path / "report.html", accounts)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_the_old_report_and_no_temporary_file(
    tmp_path: Path, accounts: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.html"
    path.write_text("old report", encoding="utf-8")

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)

    with pytest.raises(OSError, match="disk full"):
        write(path, accounts)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_text(encoding="utf-8") == "old report"


def test_accounts_missing_from_one_mapping_are_refused(
    tmp_path: Path, accounts: dict[str, dict[str, Any]]
) -> None:
    a = accounts[ALICE]

    with pytest.raises(DataFormatError, match="flows has no entry for account 'Bob"):
        write_backtest_report(
            tmp_path / "r.html",
            "t",
            {ALICE: a["summary"], BOB: a["summary"]},
            {ALICE: a["values"], BOB: a["values"]},
            {ALICE: a["flows"]},
            {ALICE: a["weights"], BOB: a["weights"]},
        )
    with pytest.raises(DataFormatError, match="weights has account 'Carol' that summaries lacks"):
        write_backtest_report(
            tmp_path / "r.html",
            "t",
            {ALICE: a["summary"]},
            {ALICE: a["values"]},
            {ALICE: a["flows"]},
            {ALICE: a["weights"], "Carol": a["weights"]},
        )
    with pytest.raises(DataFormatError, match="summaries is empty"):
        write_backtest_report(tmp_path / "r.html", "t", {}, {}, {}, {})
    assert not (tmp_path / "r.html").exists()
