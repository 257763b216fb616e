"""Optimise as a service: prices in (bundled or a file), weights and their explanation out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from microfolio.data import GatePolicy, MarketData, load_bundled_bars, read_bars
from microfolio.errors import DataFormatError, MicrofolioError, NotFoundError
from microfolio.estimate import returns_from_prices
from microfolio.optimize import (
    HRP,
    BaseOptimizer,
    BlackLitterman,
    Constraints,
    EqualRiskContribution,
    EqualWeight,
    InverseVolatility,
    MaxSharpe,
    MinVariance,
    PortfolioExplanation,
    TargetReturn,
    TargetVolatility,
    views_from_file,
)

__all__ = ["METHODS", "OptimizeRequest", "OptimizeResult", "optimise"]

Method = Literal[
    "equal",
    "inverse_vol",
    "min_variance",
    "max_sharpe",
    "target_vol",
    "target_return",
    "hrp",
    "erc",
    "black_litterman",
]
METHODS: tuple[str, ...] = Method.__args__  # type: ignore[attr-defined]

#: three years of daily sessions: the default estimation window
DEFAULT_WINDOW = 756


@dataclass(frozen=True, slots=True)
class OptimizeRequest:
    method: str
    prices: Path | None = None
    tickers: Sequence[str] | None = None
    start: date | None = None
    end: date | None = None
    max_weight: float | None = None
    target_vol: float | None = None
    target_return: float | None = None
    views: Path | None = None
    min_cash: float = 0.0
    risk_free_rate: float = 0.0
    drop_bad_tickers: bool = False


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    method: str
    start: date
    end: date
    sessions: int
    weights: pd.Series
    cash: float
    explanation: PortfolioExplanation
    fallback_chain: tuple[str, ...]
    solver: str
    notes: tuple[str, ...]
    data_version: str

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "sessions": self.sessions,
            "weights": {str(t): float(w) for t, w in self.weights.items()},
            "cash": self.cash,
            "expected_return": self.explanation.expected_return,
            "volatility": self.explanation.volatility,
            "sharpe": self.explanation.sharpe,
            "risk_contributions": {
                str(t): float(v) for t, v in self.explanation.risk_contributions.items()
            },
            "fallback_chain": list(self.fallback_chain),
            "solver": self.solver,
            "notes": list(self.notes),
            "data_version": self.data_version,
        }


def _builder(request: OptimizeRequest, constraints: Constraints) -> Callable[[], BaseOptimizer]:
    rf = request.risk_free_rate
    method = request.method
    if method == "equal":
        return lambda: EqualWeight(constraints=constraints)
    if method == "inverse_vol":
        return lambda: InverseVolatility(constraints=constraints)
    if method == "min_variance":
        return lambda: MinVariance(constraints=constraints)
    if method == "max_sharpe":
        return lambda: MaxSharpe(constraints=constraints, risk_free_rate=rf)
    if method == "target_vol":
        if request.target_vol is None:
            raise MicrofolioError("--method target_vol needs --target-vol (e.g. 0.10 for 10%)")
        target_vol = request.target_vol
        return lambda: TargetVolatility(target_vol, constraints=constraints, risk_free_rate=rf)
    if method == "target_return":
        if request.target_return is None:
            raise MicrofolioError("--method target_return needs --target-return (e.g. 0.06)")
        target_return = request.target_return
        return lambda: TargetReturn(target_return, constraints=constraints, risk_free_rate=rf)
    if method == "hrp":
        return lambda: HRP(constraints=constraints)
    if method == "erc":
        return lambda: EqualRiskContribution(constraints=constraints)
    if method == "black_litterman":
        if request.views is None:
            raise MicrofolioError("--method black_litterman needs --views FILE (see the README)")
        views = views_from_file(request.views)
        return lambda: BlackLitterman(
            views=views, optimizer=MaxSharpe(constraints=constraints, risk_free_rate=rf)
        )
    raise MicrofolioError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _market(request: OptimizeRequest) -> MarketData:
    bars = load_bundled_bars() if request.prices is None else read_bars(request.prices)
    policy = GatePolicy()
    return MarketData.from_bars(
        bars, policy=policy.dropping() if request.drop_bad_tickers else policy
    )


def optimise(request: OptimizeRequest) -> OptimizeResult:
    """Run one optimiser over a window of daily returns; everything refused is refused in words."""
    if request.max_weight is not None and not 0 < request.max_weight <= 1:
        raise MicrofolioError(f"--max-weight must be in (0, 1], got {request.max_weight}")
    constraints = Constraints(
        upper=1.0 if request.max_weight is None else request.max_weight,
        min_cash=request.min_cash,
    )
    build = _builder(request, constraints)
    market = _market(request)
    notes: list[str] = [f"dropped for bad data: {t}" for t in market.dropped]
    end = request.end or market.sessions[-1].date()
    if request.start is not None and request.start > end:
        raise MicrofolioError(f"--start {request.start} is after --end {end}")
    view = market.view(end)
    close = view.close
    if request.tickers:
        wanted = [t.strip().upper() for t in request.tickers if t.strip()]
        unknown = [t for t in wanted if t not in close.columns]
        if unknown:
            raise NotFoundError(
                f"unknown ticker(s): {', '.join(unknown)} (the data has {len(close.columns)} "
                f"tickers, e.g. {', '.join(map(str, close.columns[:5]))})"
            )
        close = close[wanted]
    if request.start is not None:
        close = close.loc[pd.Timestamp(request.start) :]
    else:
        close = close.iloc[-(DEFAULT_WINDOW + 1) :]
    returns = returns_from_prices(close)
    incomplete = returns.columns[returns.isna().any()].tolist()
    if incomplete:
        if request.tickers:
            raise DataFormatError(
                f"no complete price history in the window for {', '.join(map(str, incomplete))}; "
                "choose a later --start"
            )
        notes.append(
            f"left out (no complete history in the window): {', '.join(map(str, incomplete))}"
        )
        returns = returns.drop(columns=incomplete)
    if returns.shape[1] == 0:
        raise DataFormatError("no asset has a complete history in the window")
    if len(returns) < 20:
        raise DataFormatError(f"the window holds {len(returns)} returns; need at least 20")
    optimiser = build().fit(returns)
    weights = optimiser.weights_
    return OptimizeResult(
        method=request.method,
        start=returns.index[0].date(),
        end=returns.index[-1].date(),
        sessions=len(returns),
        weights=weights[np.abs(weights) > 1e-10].sort_values(ascending=False),
        cash=optimiser.cash_,
        explanation=optimiser.explain(),
        fallback_chain=optimiser.fallback_chain_,
        solver=optimiser.solver_,
        notes=tuple(notes),
        data_version=market.data_version,
    )
