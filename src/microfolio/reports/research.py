"""A self-contained HTML page of a research study: verdict, tables and figures.

Built like the backtest report (:mod:`microfolio.reports.html`), with which it shares the
stylesheet, the one inline copy of plotly.js, the figure blocks drawn by one loader script and
the atomic write: it opens with no network access, and the same inputs give the same bytes.
The page takes plain data (:class:`ResearchPage`): the verdict sentence, the provenance, one
table per section (:class:`ReportTable`: a frame and a format per column) and the series of
three figures: every strategy's cumulative net return (baselines dashed), its drawdowns, and
each model's information coefficient through time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from microfolio.errors import DataFormatError
from microfolio.reports.figures import _PALETTE, _STYLE, _dates
from microfolio.reports.html import _LOADER, _figure, _write_atomically
from microfolio.reports.style import CSS

__all__ = [
    "RESEARCH_DEFINITIONS",
    "ReportTable",
    "ResearchPage",
    "cumulative_figure",
    "drawdowns_figure",
    "ic_figure",
    "render_research_report",
    "write_research_report",
]

#: text cells wrap (the shared stylesheet keeps numbers on one line)
_CSS = "td.text { white-space: normal; text-align: left; min-width: 12em; }"

#: how a table cell is written, by format name
_FORMATS = ("pct", "pct0", "num2", "num3", "num4", "int", "text")

RESEARCH_DEFINITIONS = (
    "IC: the Spearman rank correlation, across tickers, of a model's score on a date with the "
    "return realised over the next horizon, averaged over dates; its t-statistic is the mean "
    "over its standard error. Over every date the labels overlap and the t-statistic is "
    "inflated (about &radic;horizon times); over every horizon-th date they do not, which is "
    "the honest one. Hit rate: the share of above-median scores that beat the median return "
    "(and below-median that fell short of it). QLIKE: RV/h &minus; log(RV/h) &minus; 1 for a "
    "variance forecast h and the realised variance RV (0 is perfect; Patton 2011). Strategy "
    "returns are daily, net of costs on every dollar traded, with no interest on cash; "
    "annual return is the CAGR; volatility the daily standard deviation &times; &radic;252; "
    "Sharpe and Sortino use the same daily returns; turnover is one-way, per year. The "
    "deflated Sharpe ratio (Bailey and L&oacute;pez de Prado 2014) is the probability that a "
    "strategy's true Sharpe ratio exceeds the one the best of all the strategies in the table "
    "would show by luck, given their number, the spread of their Sharpe ratios, the length of "
    "the test and the skew and kurtosis of the returns."
)


@dataclass(frozen=True, slots=True, eq=False)
class ReportTable:
    """One table: rows of ``frame`` (its index labels the rows), columns written with
    ``formats`` (one of ``pct``, ``pct0``, ``num2``, ``num3``, ``num4``, ``int``, ``text``;
    a column without one is text) under the headers of ``headers`` (default: the column
    names)."""

    title: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise DataFormatError(
                f"table {self.title!r}: frame must be a DataFrame, got {type(self.frame).__name__}"
            )
        for column, kind in self.formats.items():
            if kind not in _FORMATS:
                raise DataFormatError(
                    f"table {self.title!r}: format of {column!r} must be one of "
                    f"{', '.join(_FORMATS)}, got {kind!r}"
                )


@dataclass(frozen=True, slots=True, eq=False)
class ResearchPage:
    """Everything the page shows (see the module).

    ``wealth``: each strategy's net value of 1 invested (sessions x strategies); ``baselines``:
    the columns drawn dashed; ``ic``: each model's information coefficient through time
    (dates x models, already smoothed as the caption of ``ic_title`` says).
    """

    title: str
    verdict: str
    facts: Sequence[tuple[str, str]]
    tables: Sequence[ReportTable]
    wealth: pd.DataFrame
    baselines: Sequence[str]
    ic: pd.DataFrame
    ic_title: str = "Information coefficient through time"
    notes: Sequence[str] = ()


def write_research_report(path: Path, page: ResearchPage) -> Path:
    """Render ``page`` and write it atomically to ``path``; returns ``path``."""
    text = render_research_report(page)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, text)
    return target


def render_research_report(page: ResearchPage) -> str:
    """The whole page as one string."""
    _check_series(page)
    figures = (
        _figure("fig-cumulative", cumulative_figure(page.wealth, page.baselines)),
        _figure("fig-drawdowns", drawdowns_figure(page.wealth, page.baselines)),
        _figure("fig-ic", ic_figure(page.ic, page.ic_title)),
    )
    facts = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in page.facts)
    tables = "".join(_table(table) for table in page.tables)
    notes = "".join(f"<li>{escape(note)}</li>" for note in page.notes)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(page.title)}</title>",
            f"<style>{CSS}{_CSS}</style>",
            f"<script>{plotly.offline.get_plotlyjs()}</script>",
            "</head>",
            "<body>",
            "<main>",
            f"<header><h1>{escape(page.title)}</h1></header>",
            f'<section class="verdict"><h2>Verdict</h2><p>{escape(page.verdict)}</p>'
            f'<dl class="facts">{facts}</dl></section>',
            f"<section><h2>Strategies through the test</h2>{''.join(figures)}</section>",
            tables,
            f'<footer><h2>Notes</h2><ul>{notes}</ul><p class="definitions">'
            f"{RESEARCH_DEFINITIONS}</p></footer>",
            "</main>",
            f"<script>{_LOADER}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --- figures ----------------------------------------------------------------------------------


def _thin(frame: pd.DataFrame, max_points: int = 700) -> pd.DataFrame:
    """The last session of each week while the frame is longer than ``max_points``."""
    if len(frame) <= max_points or not isinstance(frame.index, pd.DatetimeIndex):
        return frame
    return frame.groupby(frame.index.to_period("W-FRI")).tail(1)


def _lines(
    frame: pd.DataFrame, dashed: Sequence[str], hover: str, title: str, height: int
) -> go.Figure:
    x = _dates(frame.index)
    traces = [
        go.Scatter(
            x=x,
            y=frame[column].to_numpy(dtype=float),
            name=str(column),
            mode="lines",
            line={
                "width": 1.2 if column in dashed else 1.8,
                "dash": "dash" if column in dashed else "solid",
                "color": _PALETTE[i % len(_PALETTE)],
            },
            hovertemplate=hover,
        )
        for i, column in enumerate(frame.columns)
    ]
    figure = go.Figure(traces)
    figure.update_layout(template=_STYLE, title_text=title, height=height)
    return figure


def cumulative_figure(wealth: pd.DataFrame, baselines: Sequence[str] = ()) -> go.Figure:
    """Each strategy's net value of 1 invested at the first rebalance (baselines dashed)."""
    figure = _lines(_thin(wealth), baselines, "%{y:.3f}", "Cumulative net return (value of 1)", 380)
    figure.update_yaxes(tickformat=".2f")
    return figure


def drawdowns_figure(wealth: pd.DataFrame, baselines: Sequence[str] = ()) -> go.Figure:
    """Each strategy's fall below its running peak (values <= 0)."""
    drawdown = wealth / wealth.cummax() - 1.0
    figure = _lines(_thin(drawdown), baselines, "%{y:.1%}", "Drawdown", 300)
    figure.update_yaxes(tickformat=".0%")
    return figure


def ic_figure(ic: pd.DataFrame, title: str = "Information coefficient through time") -> go.Figure:
    """Each model's information coefficient through time, with the zero line."""
    figure = _lines(_thin(ic), (), "%{y:.3f}", title, 300)
    figure.add_hline(y=0.0, line={"color": "#8a94a0", "width": 1})
    figure.update_yaxes(tickformat=".2f")
    return figure


# --- tables -----------------------------------------------------------------------------------


def _table(table: ReportTable) -> str:
    frame = table.frame
    head = "".join(f"<th>{escape(table.headers.get(str(c), str(c)))}</th>" for c in frame.columns)
    corner = escape(table.headers.get("", str(frame.index.name or "")))
    rows = []
    for label, row in frame.iterrows():
        cells = "".join(_cell(row[c], table.formats.get(str(c), "text")) for c in frame.columns)
        rows.append(f'<tr><th scope="row">{escape(str(label))}</th>{cells}</tr>')
    note = f'<p class="definitions">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<section><h2>{escape(table.title)}</h2>{note}<div class="scroll"><table>'
        f'<thead><tr><th scope="col">{corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _cell(value: object, kind: str) -> str:
    if kind == "text":
        return f'<td class="text">{escape("" if value is None else str(value))}</td>'
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f'<td class="text">{escape(str(value))}</td>'
    if not math.isfinite(number):
        return "<td>&ndash;</td>"
    text = {
        "pct": f"{number:.2%}",
        "pct0": f"{number:.0%}",
        "num2": f"{number:.2f}",
        "num3": f"{number:.3f}",
        "num4": f"{number:.4f}",
        "int": f"{number:,.0f}",
    }[kind]
    negative = ' class="neg"' if number < 0 and kind != "int" else ""
    return f"<td{negative}>{text}</td>"


def _check_series(page: ResearchPage) -> None:
    for name, frame in (("wealth", page.wealth), ("ic", page.ic)):
        if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
            raise DataFormatError(f"{name} must be a DataFrame indexed by dates")
    if page.wealth.empty:
        raise DataFormatError("wealth is empty: there is no strategy to draw")
