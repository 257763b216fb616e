"""Plotly figures of one account's backtest: equity, drawdown and weights through time.

Each builder takes plain pandas objects and returns a ``plotly.graph_objects.Figure`` in one quiet
shared style, so the HTML report, a notebook or the dashboard can place them anywhere. Dates go
out as ``YYYY-MM-DD`` strings and numbers as typed arrays, which keeps the embedded JSON small.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from microfolio.errors import DataFormatError

__all__ = ["CASH", "drawdown_figure", "equity_figure", "ticker_colours", "weights_figure"]

#: name of the cash column in a weights frame
CASH = "cash"

_INK = "#1f2933"
_GRID = "#e6e9ed"
_VALUE = "#1f5fa8"
_DEPOSITS = "#8a94a0"
_LOSS = "#c0392b"
_CASH_COLOUR = "#c9ced6"
_PALETTE = (
    "#1f5fa8",
    "#2a9d8f",
    "#e9a03b",
    "#8e5ea2",
    "#d1495b",
    "#5b8e3e",
    "#3f88c5",
    "#b5651d",
    "#6d6875",
    "#0f766e",
)

_STYLE = go.layout.Template(
    layout={
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        "font_color": _INK,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": _PALETTE,
        "margin": {"l": 64, "r": 16, "t": 44, "b": 36},
        "hovermode": "x unified",
        "title": {"x": 0, "xanchor": "left", "font": {"size": 14}},
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"gridcolor": _GRID, "linecolor": "#c5ccd3", "zeroline": False},
        "yaxis": {"gridcolor": _GRID, "linecolor": "#c5ccd3", "zeroline": False},
    }
)


def equity_figure(
    values: pd.Series, flows: pd.Series, title: str = "Value and net deposits"
) -> go.Figure:
    """Account value against cumulative net deposits: the gap between them is money made."""
    x = _dates(values.index)
    figure = go.Figure(
        [
            go.Scatter(
                x=x,
                y=flows.cumsum().to_numpy(dtype=float),
                name="Net deposits",
                line={"color": _DEPOSITS, "width": 1.5, "dash": "dot", "shape": "hv"},
                hovertemplate="%{y:,.2f}",
            ),
            go.Scatter(
                x=x,
                y=values.to_numpy(dtype=float),
                name="Value",
                line={"color": _VALUE, "width": 2},
                hovertemplate="%{y:,.2f}",
            ),
        ]
    )
    figure.update_layout(template=_STYLE, title_text=title, height=340)
    figure.update_yaxes(tickformat=",.0f", rangemode="tozero")
    return figure


def drawdown_figure(drawdown: pd.Series, title: str = "Drawdown (time-weighted)") -> go.Figure:
    """Fractional distance below the running peak (values <= 0) as a filled area."""
    figure = go.Figure(
        go.Scatter(
            x=_dates(drawdown.index),
            y=drawdown.to_numpy(dtype=float),
            name="Drawdown",
            fill="tozeroy",
            line={"color": _LOSS, "width": 1},
            fillcolor="rgba(192, 57, 43, 0.25)",
            hovertemplate="%{y:.2%}",
        )
    )
    figure.update_layout(template=_STYLE, title_text=title, height=260, showlegend=False)
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return figure


def ticker_colours(tickers: Iterable[str]) -> dict[str, str]:
    """One colour per ticker (sorted by name, palette repeating): pass the same mapping to every
    account's weights figure so a ticker keeps its colour across a report."""
    names = sorted({str(t) for t in tickers} - {CASH})
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(names)}
    return {**colours, CASH: _CASH_COLOUR}


def weights_figure(
    weights: pd.DataFrame,
    title: str = "Weights",
    max_points: int = 300,
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked weights per ticker, largest on average at the bottom, cash on top.

    ``weights`` holds one column per ticker and optionally a ``cash`` column; without one, cash
    is what the tickers leave (``1 - sum``, floored at 0). Longer than ``max_points`` sessions,
    the frame is thinned to the last session of each week (then of each month if still too
    long) so that a ten-year daily backtest stays a small figure. ``colours`` maps tickers to
    colours (see :func:`ticker_colours`); by default they come from this frame's columns.
    """
    frame = _with_cash(weights)
    frame = _thin(frame, max_points)
    means = frame.drop(columns=CASH).mean()
    tickers = list(means.sort_values(ascending=False, kind="stable").index)
    palette = ticker_colours(frame.columns) if colours is None else colours
    x = _dates(frame.index)
    traces = [
        go.Scatter(
            x=x,
            y=frame[column].to_numpy(dtype=float),
            name=str(column),
            stackgroup="weights",
            mode="lines",
            line={"width": 0.5, "color": palette.get(str(column), _CASH_COLOUR)},
            hovertemplate="%{y:.1%}",
        )
        for column in [*tickers, CASH]
    ]
    figure = go.Figure(traces)
    figure.update_layout(template=_STYLE, title_text=title, height=320)
    figure.update_yaxes(tickformat=".0%", range=[0, max(1.0, _top(frame))])
    return figure


def _with_cash(weights: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(weights, pd.DataFrame):
        raise DataFormatError(f"weights must be a pandas DataFrame, got {type(weights).__name__}")
    if not isinstance(weights.index, pd.DatetimeIndex):
        raise DataFormatError(
            f"weights must be indexed by session dates, got {type(weights.index).__name__}"
        )
    frame = weights.dropna(how="all").fillna(0.0).astype(float)
    if CASH not in frame.columns:
        frame[CASH] = (1.0 - frame.sum(axis=1)).clip(lower=0.0)
    return frame


def _thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Keep the last session of each week (then month) while there are too many rows."""
    for period in ("W-FRI", "M"):
        if len(frame) <= max_points:
            break
        frame = frame.groupby(pd.DatetimeIndex(frame.index).to_period(period)).tail(1)
    return frame


def _top(frame: pd.DataFrame) -> float:
    return float(frame.sum(axis=1).max()) if len(frame) else 1.0


def _dates(index: pd.Index) -> list[str]:
    if isinstance(index, pd.DatetimeIndex):
        return list(index.strftime("%Y-%m-%d"))
    return [str(label) for label in index]
