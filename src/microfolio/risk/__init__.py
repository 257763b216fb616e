"""Risk and performance measures."""

from microfolio.risk.performance import (
    DAYS_PER_YEAR,
    PerformanceSummary,
    drawdown,
    summarise,
    twr_index,
    twr_returns,
)

__all__ = [
    "DAYS_PER_YEAR",
    "PerformanceSummary",
    "drawdown",
    "summarise",
    "twr_index",
    "twr_returns",
]
