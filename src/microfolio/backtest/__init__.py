"""Backtesting: the simulated loop over the production path, and honest performance metrics."""

from microfolio.backtest.cash_flows import MonthlyDeposits
from microfolio.backtest.loop import AccountRun, Backtest, BacktestResult, Cycle, SessionRecord
from microfolio.backtest.metrics import (
    DAYS_PER_YEAR,
    TRADING_DAYS,
    PerformanceSummary,
    drawdown,
    summarise,
    twr_index,
    twr_returns,
)

__all__ = [
    "DAYS_PER_YEAR",
    "TRADING_DAYS",
    "AccountRun",
    "Backtest",
    "BacktestResult",
    "Cycle",
    "MonthlyDeposits",
    "PerformanceSummary",
    "SessionRecord",
    "drawdown",
    "summarise",
    "twr_index",
    "twr_returns",
]
