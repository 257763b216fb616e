"""Backtesting: the daily cycle looped over past sessions with a simulated broker."""

from microfolio.backtest.cash_flows import MonthlyDeposits
from microfolio.backtest.loop import AccountRun, Backtest, BacktestResult, Cycle, SessionRecord

__all__ = ["AccountRun", "Backtest", "BacktestResult", "Cycle", "MonthlyDeposits", "SessionRecord"]
