"""A self-contained HTML report of a backtest: summary table, three figures per account, notes.

The page embeds plotly.js once, inline, and every figure as a JSON block drawn by one small
loader script, so it opens with no network access and adds only the data per figure. The page
is built in memory and written to a temporary file that is renamed over the target, so a
failure leaves no half-written report (and an older report at the same path stays intact).
The output is deterministic: the same inputs give the same bytes (no clock, no random ids).
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from microfolio.errors import DataFormatError
from microfolio.reports.figures import (
    drawdown_figure,
    equity_figure,
    ticker_colours,
    weights_figure,
)
from microfolio.reports.style import CSS, DEFINITIONS
from microfolio.risk.performance import PerformanceSummary, drawdown, twr_index, twr_returns

__all__ = ["render_backtest_report", "write_backtest_report"]

_LOADER = """
document.querySelectorAll("script.plotly-figure").forEach(function (node) {
  var figure = JSON.parse(node.textContent);
  Plotly.newPlot(node.dataset.target, figure.data, figure.layout,
                 {displayModeBar: false, responsive: true});
});
"""

_Cell = tuple[str, Callable[[PerformanceSummary], str]]


def write_backtest_report(
    path: Path,
    title: str,
    summaries: Mapping[str, PerformanceSummary],
    values: Mapping[str, pd.Series],
    flows: Mapping[str, pd.Series],
    weights: Mapping[str, pd.DataFrame],
    notes: Sequence[str] = (),
    sections: Sequence[tuple[str, str]] = (),
) -> Path:
    """Render the report and write it atomically to ``path``; returns ``path``.

    ``sections``: extra (title, trusted HTML) sections placed after the summary table."""
    page = render_backtest_report(title, summaries, values, flows, weights, notes, sections)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, page)
    return target


def render_backtest_report(
    title: str,
    summaries: Mapping[str, PerformanceSummary],
    values: Mapping[str, pd.Series],
    flows: Mapping[str, pd.Series],
    weights: Mapping[str, pd.DataFrame],
    notes: Sequence[str] = (),
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """The whole page as one string: one section per account, in the order of ``summaries``."""
    names = list(summaries)
    _check_accounts(names, values=values, flows=flows, weights=weights)
    colours = ticker_colours(c for name in names for c in weights[name].columns)
    sections = [
        _section(i, name, summaries[name], values[name], flows[name], weights[name], colours)
        for i, name in enumerate(names, start=1)
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}</style>",
            f"<script>{plotly.offline.get_plotlyjs()}</script>",
            "</head>",
            "<body>",
            "<main>",
            f"<header><h1>{escape(title)}</h1></header>",
            _summary_table(names, summaries),
            *(f"<section><h2>{escape(head)}</h2>{body}</section>" for head, body in extra),
            *sections,
            _notes(notes),
            "</main>",
            f"<script>{_LOADER}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --- page parts ---------------------------------------------------------------------------

_COLUMNS: tuple[_Cell, ...] = (
    ("Final value", lambda s: _money(s.final_value)),
    ("CAGR", lambda s: _pct(s.cagr)),
    ("Volatility", lambda s: _pct(s.volatility)),
    ("Sharpe", lambda s: _num(s.sharpe)),
    ("Sortino", lambda s: _num(s.sortino)),
    ("Max drawdown", lambda s: _pct(s.max_drawdown)),
    ("Turnover / yr", lambda s: _pct(s.turnover, 0)),
    ("Costs", lambda s: f"{_money(s.total_costs)}<small>{_num(s.costs_bps, 1)} bps</small>"),
    ("Trades", lambda s: f"{s.trades:,}"),
)


def _summary_table(names: list[str], summaries: Mapping[str, PerformanceSummary]) -> str:
    head = "".join(f"<th>{label}</th>" for label, _ in _COLUMNS)
    rows = []
    for i, name in enumerate(names, start=1):
        s = summaries[name]
        cells = "".join(f"<td>{cell(s)}</td>" for _, cell in _COLUMNS)
        period = f"{s.start.isoformat()} to {s.end.isoformat()}"
        rows.append(
            f'<tr><th scope="row"><a href="#account-{i}">{escape(name)}</a>'
            f"<small>{period}</small></th>{cells}</tr>"
        )
    return (
        '<section class="summary"><h2>Summary</h2><div class="scroll"><table>'
        f'<thead><tr><th scope="col">Account</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _section(
    i: int,
    name: str,
    summary: PerformanceSummary,
    values: pd.Series,
    flows: pd.Series,
    weights: pd.DataFrame,
    colours: Mapping[str, str],
) -> str:
    dd = drawdown(twr_index(twr_returns(values, flows)), initial=1.0)
    figures = {
        "equity": equity_figure(values, flows),
        "drawdown": drawdown_figure(dd),
        "weights": weights_figure(weights, title="Weights (cash on top)", colours=colours),
    }
    worst = (
        f"{_pct(summary.max_drawdown)} from {summary.max_drawdown_peak} "
        f"to {summary.max_drawdown_trough}"
        if summary.max_drawdown_trough is not None
        else "none"
    )
    facts = (
        ("Period", f"{summary.start} to {summary.end} ({summary.sessions:,} sessions)"),
        ("Net deposits", _money(summary.net_deposits)),
        ("P&amp;L", _money(summary.pnl)),
        ("Time-weighted return", _pct(summary.total_return)),
        ("Average value", _money(summary.average_value)),
        ("Worst drawdown", worst),
    )
    facts_html = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    blocks = "".join(_figure(f"fig-{i}-{kind}", fig) for kind, fig in figures.items())
    return (
        f'<section class="account" id="account-{i}"><h2>{escape(name)}</h2>'
        f'<dl class="facts">{facts_html}</dl>{blocks}</section>'
    )


def _figure(target: str, figure: go.Figure) -> str:
    data = figure.to_json()
    # "</script>" or "<!--" inside a label must not end the block: escape <, > and & in JSON
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<div class="figure" id="{target}"></div>'
        f'<script type="application/json" class="plotly-figure" data-target="{target}">'
        f"{data}</script>"
    )


def _notes(notes: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    user = f"<ul>{items}</ul>" if items else ""
    return f'<footer><h2>Notes</h2>{user}<p class="definitions">{DEFINITIONS}</p></footer>'


# --- checks, formatting, writing ----------------------------------------------------------


def _check_accounts(names: list[str], **mappings: Mapping[str, object]) -> None:
    if not names:
        raise DataFormatError("summaries is empty: there is no account to report")
    for label, mapping in mappings.items():
        missing = [n for n in names if n not in mapping]
        if missing:
            raise DataFormatError(f"{label} has no entry for account {missing[0]!r}")
        extra = [n for n in mapping if n not in names]
        if extra:
            raise DataFormatError(f"{label} has account {extra[0]!r} that summaries lacks")


def _money(x: float) -> str:
    return f"{x:,.2f}" if math.isfinite(x) else "&ndash;"


def _pct(x: float, digits: int = 2) -> str:
    if not math.isfinite(x):
        return "&ndash;"
    text = f"{x * 100:,.{digits}f}%"
    return f'<span class="neg">{text}</span>' if x < 0 else text


def _num(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}" if math.isfinite(x) else "&ndash;"


def _write_atomically(target: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
