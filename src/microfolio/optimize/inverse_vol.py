"""Inverse-volatility weights: each asset in proportion to one over its volatility."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import MicrofolioError

__all__ = ["InverseVolatility"]


class InverseVolatility(BaseEstimator):  # type: ignore[misc]
    """Weights proportional to 1 / sigma_i, scaled so that weights plus ``cash`` sum to one.

    Parameters
    ----------
    cash:
        the weight kept in cash (a buffer for costs and rounding), between 0 and 1.
    min_observations:
        an asset needs at least this many non-missing returns to be weighted; assets with fewer
        (funds that listed late) get weight 0.

    Fitted attributes: ``weights_`` (Series by ticker), ``cash_`` (float), ``volatility_`` (the
    annualisation-free daily volatility used), ``fallback_chain_`` (empty: this method has a
    closed form and cannot fail once one asset qualifies).
    """

    def __init__(self, cash: float = 0.0, min_observations: int = 60) -> None:
        self.cash = cash
        self.min_observations = min_observations

    def fit(self, returns: pd.DataFrame) -> Self:
        if not 0.0 <= self.cash < 1.0:
            raise MicrofolioError(f"cash must be in [0, 1), got {self.cash}")
        counts = returns.notna().sum()
        volatility = returns.std(ddof=1)
        usable = (counts >= self.min_observations) & (volatility > 0) & np.isfinite(volatility)
        if not usable.any():
            raise MicrofolioError(
                f"inverse volatility: no asset has {self.min_observations} returns with "
                f"positive volatility (tickers: {', '.join(map(str, returns.columns))})"
            )
        inverse = (1.0 / volatility[usable]).reindex(returns.columns, fill_value=0.0)
        self.volatility_ = volatility
        self.weights_ = inverse / inverse.sum() * (1.0 - self.cash)
        self.cash_ = float(self.cash)
        self.fallback_chain_: tuple[str, ...] = ()
        return self
