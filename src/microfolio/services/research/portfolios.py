"""The portfolios of one rebalance date: each model's views through Black-Litterman, and the
baselines, all from the same returns known at that date.

At a rebalance date ``t`` (:class:`DateInputs`): the universe is every ticker with a return on
each of the last ``cov_window`` sessions up to ``t``; the covariance is Ledoit-Wolf over those
returns (annualised). Then:

* a model (:func:`model_weights`): its out-of-sample scores of ``t`` and a
  :class:`~microfolio.signals.fusion.Calibration` on its own out-of-sample record known at
  ``t`` become centred views (each ticker against the mean of the universe, omega from the
  model's specific errors); Black-Litterman with an equal-weight prior (``tau``,
  ``risk_aversion``) on the covariance, optionally with the volatilities of the best
  volatility model so far put in (:func:`~microfolio.signals.volatility.vol_rescale`), feeds a
  long-only maximum-Sharpe portfolio capped at ``max_weight``. With no view the posterior is the
  prior and the portfolio is equal weight.
* the baselines (:func:`baseline_weights`): equal weight, inverse volatility (each asset's own
  volatility over the window) and minimum variance (on the same covariance), capped alike, and
  60/40 (60 % equity, 40 % bonds: VTI and AGG for the ETFs; the equal-weight universe and AGG
  for stocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from microfolio.errors import NotFoundError
from microfolio.estimate import LedoitWolf
from microfolio.optimize import (
    BlackLitterman,
    Constraints,
    EqualWeight,
    InverseVolatility,
    MaxSharpe,
    MinVariance,
)
from microfolio.services.research.config import ResearchConfig
from microfolio.signals.fusion import Calibration, SignalHistory, SignalSource, ViewFusion
from microfolio.signals.volatility import vol_rescale

__all__ = [
    "BASELINES",
    "BOND",
    "EQUITY",
    "DateInputs",
    "ModelPick",
    "baseline_weights",
    "date_inputs",
    "model_weights",
]

#: the baselines, in table order
BASELINES: tuple[str, ...] = ("equal_weight", "inverse_vol", "sixty_forty", "min_variance")
#: the 60/40 legs: the equity fund of the ETF universe and the bond fund of both universes
EQUITY = "VTI"
BOND = "AGG"
SIXTY = 0.6


@dataclass(frozen=True, slots=True, eq=False)
class DateInputs:
    """What every portfolio of rebalance date ``t`` is built from."""

    t: pd.Timestamp
    universe: tuple[str, ...]
    returns: pd.DataFrame  #: the window's daily returns of the universe
    covariance: pd.DataFrame  #: Ledoit-Wolf, annualised

    @property
    def smallest_cap(self) -> float:
        """The lowest weight cap that keeps the universe fully investable."""
        return 1.0 / len(self.universe)


@dataclass(frozen=True, slots=True)
class ModelPick:
    """One model's portfolio at one date and how it was made."""

    weights: pd.Series
    views: int
    reason: str  #: why the model gave no views ("" when it gave some)
    slope: float
    ic_t_stat: float
    vol_model: str | None
    path: tuple[str, ...]


def date_inputs(
    returns: pd.DataFrame, t: pd.Timestamp, config: ResearchConfig, exclude: Sequence[str] = ()
) -> DateInputs | None:
    """The inputs at ``t`` from daily ``returns`` (rows after ``t`` are never read); None when
    fewer than two tickers have a full window."""
    upto = returns.loc[:t]
    if len(upto) < config.cov_window:
        return None
    window = upto.iloc[-config.cov_window :]
    window = window.drop(columns=[c for c in exclude if c in window.columns])
    complete = window.columns[window.notna().all().to_numpy()]
    if len(complete) < 2:
        return None
    window = window[complete]
    covariance = LedoitWolf().fit(window).covariance_
    return DateInputs(t, tuple(str(c) for c in complete), window, covariance)


def _constraints(inputs: DateInputs, config: ResearchConfig) -> Constraints:
    return Constraints(upper=max(config.max_weight, inputs.smallest_cap))


def model_weights(
    name: str,
    inputs: DateInputs,
    scores: pd.Series,
    history: SignalHistory,
    sessions: pd.DatetimeIndex,
    config: ResearchConfig,
    vols: pd.Series | None = None,
    vol_name: str | None = None,
) -> ModelPick:
    """The model's Black-Litterman portfolio at ``inputs.t`` (see the module).

    ``scores`` are the model's out-of-sample scores of ``t`` by ticker; ``history`` its whole
    out-of-sample record (the calibration keeps what is known at ``t``); ``vols`` the
    volatility forecasts to put into the covariance (None: none).
    """
    t = inputs.t
    calibration = Calibration(
        horizon=config.horizon, min_t_stat=config.min_t_stat, min_periods=config.min_periods
    ).fit(history, t, sessions)
    views: Any = ()
    omega: Any = None
    reason = ""
    if scores.empty:
        reason = f"no score on {t.date()}"
    else:
        source = SignalSource(name, t, scores, calibration)
        fused = ViewFusion(kind="centred").fuse([source], t, universe=inputs.universe)
        views, omega = fused.views, (fused.omega if len(fused) else None)
        reason = fused.skipped.get(name, "")
    covariance = inputs.covariance
    used = None
    if vols is not None and len(vols):
        covariance = vol_rescale(covariance, vols)
        used = vol_name
    model = BlackLitterman(
        views=views,
        omega=omega,
        tau=config.tau,
        risk_aversion=config.risk_aversion,
        optimizer=MaxSharpe(constraints=_constraints(inputs, config)),
    ).fit_moments(covariance)
    return ModelPick(
        weights=_clean(model.weights_),
        views=len(views),
        reason=reason,
        slope=float(calibration.slope_),
        ic_t_stat=float(calibration.ic_t_stat_),
        vol_model=used,
        path=tuple(model.fallback_chain_),
    )


def baseline_weights(name: str, inputs: DateInputs, config: ResearchConfig) -> pd.Series:
    """One baseline's weights at ``inputs.t`` (see the module)."""
    constraints = _constraints(inputs, config)
    if name == "equal_weight":
        model: Any = EqualWeight(constraints=constraints).fit_moments(inputs.covariance)
    elif name == "inverse_vol":
        model = InverseVolatility(constraints=constraints).fit(inputs.returns)
    elif name == "min_variance":
        model = MinVariance(constraints=constraints).fit_moments(inputs.covariance)
    elif name == "sixty_forty":
        return sixty_forty(inputs.universe, config.universe)
    else:
        raise NotFoundError(f"unknown baseline {name!r}; choose one of {', '.join(BASELINES)}")
    return _clean(model.weights_)


def sixty_forty(universe: Sequence[str], kind: str) -> pd.Series:
    """60 % equity (VTI for ETFs, the equal-weight universe for stocks) and 40 % AGG."""
    if kind == "etfs":
        return pd.Series({EQUITY: SIXTY, BOND: 1.0 - SIXTY}, name="weight")
    equity = [t for t in universe if t != BOND]
    weights = dict.fromkeys(equity, SIXTY / len(equity))
    weights[BOND] = 1.0 - SIXTY
    return pd.Series(weights, name="weight")


def _clean(weights: pd.Series) -> pd.Series:
    """Weights without the numerical dust of the solvers (below 1e-10), by ticker."""
    values = weights.to_numpy(dtype=float)
    kept = weights[np.abs(values) > 1e-10]
    return pd.Series(kept.to_numpy(dtype=float), index=[str(t) for t in kept.index], name="weight")
