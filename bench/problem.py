"""What every library is asked to do: the tasks and their shared parameters.

All libraries get the same daily simple returns. Where a library wants annual figures, it
annualises by 252 itself (microfolio, PyPortfolioOpt); skfolio and Riskfolio-Lib work in daily
units. Min variance, max Sharpe (risk-free rate 0), HRP and ERC weights do not depend on the
scale; the frontier's target returns and the Black-Litterman views are given in annual terms
and divided by 252 for the daily libraries.

Shared conventions: sample covariance with ddof=1, arithmetic mean, risk-free rate 0,
long-only, fully invested, every weight in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "PERIODS_PER_YEAR",
    "TASKS",
    "TASK_TITLES",
    "BlackLittermanSpec",
    "Entry",
    "Outcome",
    "Task",
    "ViewSpec",
    "bl_spec_for",
    "frontier_targets",
]

PERIODS_PER_YEAR = 252
FRONTIER_POINTS = 50

TASKS = ("min_variance", "max_sharpe", "hrp", "erc", "frontier", "black_litterman")
TASK_TITLES = {
    "min_variance": "min variance",
    "max_sharpe": "max Sharpe",
    "hrp": "HRP (single linkage)",
    "erc": "ERC",
    "frontier": f"{FRONTIER_POINTS}-point frontier",
    "black_litterman": "Black-Litterman + max Sharpe",
}


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """A view in annual terms: ``long`` returns ``value`` (absolute) or beats ``short`` by it."""

    long: str
    value: float
    short: str | None = None

    def picking_row(self, tickers: pd.Index) -> np.ndarray:
        row = np.zeros(len(tickers))
        row[tickers.get_loc(self.long)] = 1.0
        if self.short is not None:
            row[tickers.get_loc(self.short)] = -1.0
        return row


@dataclass(frozen=True, slots=True)
class BlackLittermanSpec:
    """Equal-weight market, risk aversion ``delta``, ``tau``, He-Litterman Omega.

    Omega = diag(tau * P Sigma P') is the only view uncertainty that skfolio (views without
    confidences), PyPortfolioOpt (omega="default") and Riskfolio-Lib (fixed) can all express.
    """

    views: tuple[ViewSpec, ...]
    tau: float = 0.05
    delta: float = 2.5

    def picking(self, tickers: pd.Index) -> np.ndarray:
        return np.vstack([v.picking_row(tickers) for v in self.views])

    def q(self, periods: int = 1) -> np.ndarray:
        """View values per period (1: annual, 252: daily)."""
        return np.array([v.value for v in self.views]) / periods


#: (absolute view, relative long, relative short) by universe; else the first three tickers
VIEW_ASSETS = (("VTI", "VEA", "AGG"), ("AAPL", "MSFT", "XOM"))


def bl_spec_for(returns: pd.DataFrame) -> BlackLittermanSpec:
    """Two views: the first asset returns 7% a year; the second beats the third by 3% a year."""
    names = [str(t) for t in returns.columns if str(t).isalnum()]
    chosen = next((c for c in VIEW_ASSETS if set(c) <= set(names)), tuple(names[:3]))
    first, second, third = chosen
    return BlackLittermanSpec(views=(ViewSpec(first, 0.07), ViewSpec(second, 0.03, third)))


def frontier_targets(low: float, high: float, n_points: int = FRONTIER_POINTS) -> np.ndarray:
    """Target returns of the frontier: evenly spaced from the min-variance return to the highest
    asset mean (in the caller's units)."""
    return np.linspace(low, high, n_points)


@dataclass(slots=True)
class Outcome:
    """What a run gives back: weights (a Series, or a frame of points x tickers for the
    frontier) and any extra vectors worth comparing (e.g. the posterior mean, annualised)."""

    weights: pd.Series | pd.DataFrame
    extra: dict[str, pd.Series] = field(default_factory=dict)


#: a task implementation: returns frame in, outcome out (timed as a whole)
Task = Callable[[pd.DataFrame], Outcome]


@dataclass(frozen=True, slots=True)
class Entry:
    """How one library does one task.

    ``run`` None: the library cannot do the task (``note`` says why). ``note`` set with a
    ``run``: it runs and is timed, but it is not the same problem, so its weights are not
    compared (``compare`` may name an extra vector that is, e.g. the posterior mean).
    """

    run: Task | None
    note: str | None = None
    compare: str | None = None

    @property
    def same_problem(self) -> bool:
        return self.run is not None and self.note is None
