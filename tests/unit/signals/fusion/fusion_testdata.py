"""Synthetic panels for the fusion tests (a module, not the conftest, so tests can import it).

A panel has ``n_dates`` consecutive business-day sessions of scores for ``n_tickers`` tickers
(then ``HORIZON`` + 5 more sessions, so the last labels can end inside the calendar), a latent
``z ~ N(0, 1)`` per (date, ticker) and the label ``slope * z + noise * N(0, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.signals.fusion import Calibration, SignalHistory

HORIZON = 21
SLOPE = 0.02
NOISE = 0.005

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Panel:
    sessions: pd.DatetimeIndex
    dates: pd.DatetimeIndex
    tickers: list[str]
    index: pd.MultiIndex
    z: Floats
    labels: pd.Series
    rng: np.random.Generator

    @property
    def as_of(self) -> pd.Timestamp:
        """The last scored date: the labels of its last ``HORIZON`` dates are not known yet."""
        return pd.Timestamp(self.dates[-1])

    def history(self, values: Floats, name: str) -> SignalHistory:
        return SignalHistory(pd.Series(values, index=self.index), self.labels, name)

    def noise(self) -> Floats:
        return self.rng.standard_normal(len(self.index))

    def calibrate(self, history: SignalHistory, **params: object) -> Calibration:
        return Calibration(horizon=HORIZON, **params).fit(history, self.as_of, self.sessions)


def panel(
    n_dates: int = 300,
    n_tickers: int = 20,
    seed: int = 11,
    slope: float = SLOPE,
    noise: float = NOISE,
) -> Panel:
    rng = np.random.default_rng(seed)
    sessions = pd.bdate_range("2020-01-01", periods=n_dates + HORIZON + 5, name="date")
    dates = sessions[:n_dates]
    tickers = [f"T{i:02d}" for i in range(n_tickers)]
    index = pd.MultiIndex.from_product([dates, tickers], names=["date", "ticker"])
    z = rng.standard_normal(len(index))
    labels = pd.Series(slope * z + noise * rng.standard_normal(len(index)), index=index)
    return Panel(sessions, dates, tickers, index, z, labels, rng)


def standard(values: Floats, tickers: list[str]) -> pd.Series:
    """Scores of one date, z-scored (population std)."""
    series = pd.Series(values, index=tickers)
    return (series - series.mean()) / series.std(ddof=0)


def daily_returns(
    tickers: list[str], seed: int = 5, n: int = 750, common: float = 0.004
) -> pd.DataFrame:
    """Daily returns: 1% idiosyncratic and ``common`` common volatility, no drift."""
    rng = np.random.default_rng(seed)
    shared = common * rng.standard_normal((n, 1))
    values = 0.01 * rng.standard_normal((n, len(tickers))) + shared
    dates = pd.bdate_range("2017-01-02", periods=n)
    return pd.DataFrame(values, index=dates, columns=tickers)
