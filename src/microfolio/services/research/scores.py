"""The numbers of the study: how each return model forecast, how each strategy did.

* :func:`model_score`: a model's out-of-sample scores against the realised forward returns:
  the information coefficient (mean per-date Spearman correlation) with its t-statistic over
  every scored date (overlapping labels: the t-statistic is inflated, roughly by
  ``sqrt(horizon)``) and over every ``horizon``-th date (non-overlapping: the honest one), and
  the cross-sectional hit rate (above-median scores beating the median return).
* :func:`strategy_scores`: each strategy's net daily returns summarised (annualised return,
  volatility, Sharpe, Sortino, max drawdown, annual one-way turnover and costs) and its
  deflated Sharpe ratio (Bailey and López de Prado 2014) among **all** the strategies of the
  table: the number of trials is the number of *distinct* strategies (two whose net daily
  returns agree to 1e-7 (a thousandth of a basis point) on every day, such as a model that never gave a view and equal weight,
  are one trial: counting it twice would deflate every Sharpe ratio for a trial nobody ran),
  and the variance of their (daily) Sharpe ratios sets the Sharpe ratio the best of them would
  reach by luck.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from microfolio.backtest import WeightsBacktestResult
from microfolio.risk.sharpe_stats import SharpeMoments, deflated_sharpe_ratio
from microfolio.signals.validation import hit_rate, information_coefficient

__all__ = [
    "ModelScore",
    "StrategyScore",
    "finite_or_none",
    "model_score",
    "same_returns",
    "strategy_scores",
]

StrategyKind = Literal["model", "baseline"]

#: two strategies whose net daily returns differ by less than this on every day are one trial
_SAME = 1e-7


@dataclass(frozen=True, slots=True)
class ModelScore:
    """Out-of-sample forecast quality of one return model."""

    model: str
    ic: float  #: mean per-date IC over every scored date with a realised label
    ic_t_stat: float  #: its t-statistic (overlapping labels: inflated)
    ic_dates: int
    ic_honest: float  #: mean IC over every ``horizon``-th date (non-overlapping labels)
    ic_honest_t_stat: float
    ic_honest_dates: int
    hit_rate: float
    scored_rows: int
    params: Mapping[str, Any]
    tuning: tuple[tuple[bool, float], ...]  #: (zscore_by_date, cross-validated IC) tried
    refits: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "ic": finite_or_none(self.ic),
            "ic_t_stat": finite_or_none(self.ic_t_stat),
            "ic_dates": self.ic_dates,
            "ic_non_overlapping": finite_or_none(self.ic_honest),
            "ic_non_overlapping_t_stat": finite_or_none(self.ic_honest_t_stat),
            "ic_non_overlapping_dates": self.ic_honest_dates,
            "hit_rate": finite_or_none(self.hit_rate),
            "scored_rows": self.scored_rows,
            "params": dict(self.params),
            "tuning": [{"zscore_by_date": z, "cv_ic": finite_or_none(ic)} for z, ic in self.tuning],
            "refits": self.refits,
            "seconds": round(self.seconds, 1),
        }


@dataclass(frozen=True, slots=True)
class StrategyScore:
    """Net-of-cost performance of one strategy over the test period, with its deflated Sharpe
    ratio. Fractions (0.07 is 7 %); ``sharpe`` is annualised, ``daily_sharpe`` and ``sr0`` per
    session (what the deflated Sharpe ratio compares)."""

    name: str
    kind: StrategyKind
    annual_return: float  #: CAGR, net
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: float
    turnover: float  #: average annual one-way turnover
    costs: float  #: average annual costs
    total_return: float
    daily_sharpe: float
    dsr: float  #: deflated Sharpe ratio, a probability
    psr: float  #: probabilistic Sharpe ratio against 0
    sr0: float  #: the daily Sharpe ratio the best of the trials reaches by luck
    n_trials: int
    views_share: float  #: share of rebalances with views (a model); NaN for a baseline
    same_as: str | None = None  #: the earlier strategy whose returns this one repeats

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "annual_return": finite_or_none(self.annual_return),
            "volatility": finite_or_none(self.volatility),
            "sharpe": finite_or_none(self.sharpe),
            "sortino": finite_or_none(self.sortino),
            "max_drawdown": finite_or_none(self.max_drawdown),
            "turnover": finite_or_none(self.turnover),
            "costs": finite_or_none(self.costs),
            "total_return": finite_or_none(self.total_return),
            "daily_sharpe": finite_or_none(self.daily_sharpe),
            "deflated_sharpe": finite_or_none(self.dsr),
            "probabilistic_sharpe": finite_or_none(self.psr),
            "sr0": finite_or_none(self.sr0),
            "n_trials": self.n_trials,
            "views_share": finite_or_none(self.views_share),
            "same_as": self.same_as,
        }


def model_score(
    name: str,
    scores: pd.Series,
    realised: pd.Series,
    horizon: int,
    *,
    params: Mapping[str, Any],
    tuning: tuple[tuple[bool, float], ...],
    refits: int,
    seconds: float,
) -> tuple[ModelScore, pd.Series]:
    """The model's scores against the realised labels; and its IC on every date."""
    every = information_coefficient(scores, realised)
    honest = information_coefficient(scores, realised, every=horizon)
    score = ModelScore(
        model=name,
        ic=every.mean,
        ic_t_stat=every.t_stat,
        ic_dates=every.n_dates,
        ic_honest=honest.mean,
        ic_honest_t_stat=honest.t_stat,
        ic_honest_dates=honest.n_dates,
        hit_rate=hit_rate(scores, realised),
        scored_rows=len(scores),
        params=dict(params),
        tuning=tuning,
        refits=refits,
        seconds=seconds,
    )
    return score, every.per_date.rename(name)


def strategy_scores(
    results: Mapping[str, WeightsBacktestResult],
    kinds: Mapping[str, StrategyKind],
    views_share: Mapping[str, float],
) -> tuple[StrategyScore, ...]:
    """Every strategy's numbers, the deflated Sharpe ratio taken over all of them."""
    moments = {name: SharpeMoments.from_returns(r.returns) for name, r in results.items()}
    repeats = same_returns(results)
    trials = [m.sr for name, m in moments.items() if name not in repeats]
    out: list[StrategyScore] = []
    for name, result in results.items():
        summary = result.summary()
        deflated = deflated_sharpe_ratio(moments[name], trials)
        psr = deflated_sharpe_ratio(moments[name], [moments[name].sr]).dsr
        out.append(
            StrategyScore(
                name=name,
                kind=kinds[name],
                annual_return=summary.cagr,
                volatility=summary.volatility,
                sharpe=summary.sharpe,
                sortino=summary.sortino,
                max_drawdown=summary.max_drawdown,
                turnover=summary.turnover,
                costs=summary.costs,
                total_return=summary.total_return,
                daily_sharpe=moments[name].sr,
                dsr=deflated.dsr,
                psr=psr,
                sr0=deflated.sr0,
                n_trials=deflated.n_trials,
                views_share=views_share.get(name, math.nan),
                same_as=repeats.get(name),
            )
        )
    return tuple(out)


def same_returns(results: Mapping[str, WeightsBacktestResult]) -> dict[str, str]:
    """Each strategy whose net daily returns repeat an earlier one's (to 1e-7 on every day, so
    that solver noise in equal weights does not make two trials of one; in table order),
    mapped to the first strategy with those returns."""
    firsts: list[tuple[str, np.ndarray]] = []
    repeats: dict[str, str] = {}
    for name, result in results.items():
        values = result.returns.to_numpy(dtype=float)
        for first, seen in firsts:
            if seen.shape == values.shape and np.allclose(seen, values, rtol=0.0, atol=_SAME):
                repeats[name] = first
                break
        else:
            firsts.append((name, values))
    return repeats


def finite_or_none(value: float) -> float | None:
    """A float for JSON: None for NaN or an infinity."""
    return float(value) if math.isfinite(value) else None
