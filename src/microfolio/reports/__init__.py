"""Reports: self-contained HTML pages and the plotly figures they are made of."""

from microfolio.reports.figures import (
    CASH,
    drawdown_figure,
    equity_figure,
    ticker_colours,
    weights_figure,
)
from microfolio.reports.html import render_backtest_report, write_backtest_report

__all__ = [
    "CASH",
    "drawdown_figure",
    "equity_figure",
    "render_backtest_report",
    "ticker_colours",
    "weights_figure",
    "write_backtest_report",
]
