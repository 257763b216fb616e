"""Risk and performance measures."""

from microfolio.risk.performance import (
    DAYS_PER_YEAR,
    PerformanceSummary,
    drawdown,
    summarise,
    twr_index,
    twr_returns,
)
from microfolio.risk.sharpe_stats import (
    DeflatedSharpe,
    SharpeMoments,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
)

__all__ = [
    "DAYS_PER_YEAR",
    "DeflatedSharpe",
    "PerformanceSummary",
    "SharpeMoments",
    "deflated_sharpe_ratio",
    "drawdown",
    "expected_max_sharpe",
    "probabilistic_sharpe_ratio",
    "summarise",
    "twr_index",
    "twr_returns",
]
