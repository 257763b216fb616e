"""Backtesting: the daily cycle looped over past sessions with a simulated broker."""

from microfolio.backtest.cash_flows import CashFlowSchedule, MonthlyDeposits, Withdrawals
from microfolio.backtest.loop import AccountRun, Backtest, BacktestResult, Cycle, SessionRecord
from microfolio.backtest.weights import (
    WeightsBacktestResult,
    WeightsBacktestSummary,
    weights_backtest,
)

__all__ = [
    "AccountRun",
    "Backtest",
    "BacktestResult",
    "CashFlowSchedule",
    "Cycle",
    "MonthlyDeposits",
    "SessionRecord",
    "WeightsBacktestResult",
    "WeightsBacktestSummary",
    "Withdrawals",
    "weights_backtest",
]
