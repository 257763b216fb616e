"""Model portfolios: the target every account of a risk level follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol

import pandas as pd

from microfolio.data import MarketView
from microfolio.domain import TargetPortfolio
from microfolio.errors import MicrofolioError
from microfolio.estimate import returns_from_prices
from microfolio.optimize import InverseVolatility

__all__ = ["InverseVolModel", "ModelPortfolio"]


class ModelPortfolio(Protocol):
    def target(self, view: MarketView) -> TargetPortfolio:
        """The target weights for accounts on this model, using only what ``view`` knows."""
        ...


class InverseVolModel:
    """Inverse-volatility weights over one fund per asset class.

    The model is re-estimated on the first session of each month (``refresh="monthly"``) or
    every session (``"daily"``), from the ``lookback`` sessions up to that date. The result is a
    pure function of the view's date, cached by refresh date: the same ``as_of`` always gives the
    same target, whatever was asked before.
    """

    def __init__(
        self,
        tickers: Sequence[str],
        lookback: int = 252,
        cash: float = 0.005,
        refresh: Literal["daily", "monthly"] = "monthly",
        min_observations: int = 60,
    ) -> None:
        if not tickers:
            raise MicrofolioError("a model portfolio needs at least one ticker")
        if lookback < 2:
            raise MicrofolioError(f"lookback must be at least 2 sessions, got {lookback}")
        self.tickers = tuple(tickers)
        self.lookback = lookback
        self.cash = cash
        self.refresh = refresh
        self.min_observations = min_observations
        self._cache: dict[date, TargetPortfolio] = {}

    def _refresh_date(self, sessions: pd.DatetimeIndex) -> pd.Timestamp:
        last = sessions[-1]
        if self.refresh == "daily":
            return last
        month_start = sessions[sessions >= last.replace(day=1)]
        return month_start[0]

    def target(self, view: MarketView) -> TargetPortfolio:
        missing = [t for t in self.tickers if t not in view.close.columns]
        if missing:
            raise MicrofolioError(f"model tickers not in the market data: {', '.join(missing)}")
        close = view.close
        refresh = self._refresh_date(pd.DatetimeIndex(close.index))
        key = refresh.date()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        end = int(close.index.searchsorted(refresh, side="right"))
        window = close.iloc[max(0, end - self.lookback - 1) : end][list(self.tickers)]
        optimiser = InverseVolatility(cash=self.cash, min_observations=self.min_observations)
        optimiser.fit(returns_from_prices(window))
        weights = {str(t): float(w) for t, w in optimiser.weights_.items()}
        target = TargetPortfolio(
            as_of=key,
            weights=weights,
            cash=optimiser.cash_,
            method="inverse_vol",
            fallback_chain=optimiser.fallback_chain_,
        )
        self._cache[key] = target
        return target
