"""What a research run is asked to do: one frozen, strict configuration and its hash.

Every choice that can change a number of the study is a field here, fixed before the run (none
is chosen by looking at the test period): the universe, the label horizon, when models are
refitted, where the test period starts and ends, which models run, costs, the portfolio's
constraints and the Black-Litterman settings. :meth:`ResearchConfig.for_universe` gives the
defaults of each universe; :meth:`ResearchConfig.config_hash` is recorded with every result.
How many processes run the work is not part of it: it changes the time, not the numbers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "MODEL_NAMES",
    "UNIVERSES",
    "VOL_MODEL_NAMES",
    "ModelName",
    "ResearchConfig",
    "Universe",
    "VolModelName",
]

Universe = Literal["etfs", "stocks"]
ModelName = Literal[
    "zero",
    "momentum",
    "historical_mean",
    "elastic_net",
    "random_forest",
    "gradient_boosting",
    "lstm",
]
VolModelName = Literal["ewma", "garch", "gjr_garch", "har", "lstm"]

UNIVERSES: tuple[str, ...] = Universe.__args__  # type: ignore[attr-defined]
MODEL_NAMES: tuple[str, ...] = ModelName.__args__  # type: ignore[attr-defined]
VOL_MODEL_NAMES: tuple[str, ...] = VolModelName.__args__  # type: ignore[attr-defined]

#: the return models of a default run: the two baselines that learn (almost) nothing and the four
#: learned ones; ``zero`` (no view at all) is left out, as its strategy is equal weight again
DEFAULT_MODELS: tuple[ModelName, ...] = (
    "momentum",
    "historical_mean",
    "elastic_net",
    "random_forest",
    "gradient_boosting",
    "lstm",
)
DEFAULT_VOL_MODELS: tuple[VolModelName, ...] = ("ewma", "garch", "gjr_garch", "har", "lstm")


class ResearchConfig(BaseModel):
    """The walk-forward study, fixed before it runs (see the module).

    * ``horizon``: the label, ``close[t + horizon] / close[t] - 1`` in sessions; also the
      rebalance interval (a rebalance every ``horizon`` sessions from the first test session,
      about monthly for 21) and the step of the volatility forecasts.
    * ``refit_every``: sessions between refits of the return models (the walk-forward's test
      block); ``min_train``: the fewest training dates (after the purge) of the first fit.
    * ``retrain``: ``"schedule"`` refits the return models at every walk-forward split;
      ``"trigger"`` checks them at every split and refits only when a
      :class:`~microfolio.signals.monitor.RetrainTrigger` says so: features drifted from the
      model's training window, its out-of-sample IC significantly worse than its
      predecessors', or older than ``max_model_age`` sessions (see
      :mod:`~microfolio.services.research.retrain`). ``max_model_age`` is read in that mode
      only.
    * ``test_start`` / ``end``: the test period (``end`` None: the last session of the data).
      Everything before ``test_start`` is training only; the first training window ends
      ``horizon`` sessions before it (purged).
    * ``tune``: choose each learned model's ``zscore_by_date`` by purged k-fold (5 folds,
      ``horizon``-session purge and embargo) on the first training window only; otherwise it is
      fixed to True. Every other hyper-parameter is the model's default (``fast``: smaller
      models, for tests).
    * ``max_tickers``: a seeded random sample of that many tickers (None: all);
      ``vol_tickers``: the same for the volatility study.
    * ``cov_window``: sessions of daily returns behind each covariance (Ledoit-Wolf) and each
      baseline; a ticker enters the portfolios once it has that many.
    * ``rescale_vol``: put the volatility model that has the best QLIKE so far into the
      Black-Litterman covariance (only for the tickers the volatility study forecasts).
    * ``min_t_stat`` / ``min_periods``: the calibration's gates (see
      :class:`~microfolio.signals.fusion.Calibration`); ``tau``, ``risk_aversion``: the
      Black-Litterman prior; ``max_weight``: the cap on every asset, in every strategy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    universe: Universe
    horizon: int = Field(default=21, ge=1, le=252)
    refit_every: int = Field(default=63, ge=1)
    retrain: Literal["schedule", "trigger"] = "schedule"
    max_model_age: int = Field(default=252, ge=1)
    min_train: int = Field(default=252, ge=21)
    test_start: date = date(2008, 1, 1)
    end: date | None = None
    models: tuple[ModelName, ...] = DEFAULT_MODELS
    vol_models: tuple[VolModelName, ...] = DEFAULT_VOL_MODELS
    vol_refit_every: int = Field(default=252, ge=1)
    vol_tickers: int | None = Field(default=None, ge=2)
    max_tickers: int | None = Field(default=None, ge=2)
    cov_window: int = Field(default=504, ge=63)
    cost_bps: float = Field(default=10.0, ge=0.0, le=1000.0)
    max_weight: float = Field(default=0.20, gt=0.0, le=1.0)
    tau: float = Field(default=0.05, gt=0.0)
    risk_aversion: float = Field(default=2.5, gt=0.0)
    rescale_vol: bool = True
    min_t_stat: float | None = None
    min_periods: int = Field(default=12, ge=1)
    tune: bool = True
    seed: int = Field(default=0, ge=0)
    fast: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.models:
            raise ValueError("models must name at least one return model")
        if len(set(self.models)) != len(self.models):
            raise ValueError(f"models repeat a name: {', '.join(self.models)}")
        if not self.vol_models:
            raise ValueError("vol_models must name at least one volatility model")
        if len(set(self.vol_models)) != len(self.vol_models):
            raise ValueError(f"vol_models repeat a name: {', '.join(self.vol_models)}")
        if self.end is not None and self.end <= self.test_start:
            raise ValueError(f"end {self.end} must be after test_start {self.test_start}")
        return self

    @classmethod
    def for_universe(cls, universe: str, **overrides: Any) -> ResearchConfig:
        """The defaults of ``universe`` with ``overrides`` on top.

        Stocks: a seeded sample of 100 of the 500 (a full run on all of them takes hours on
        two cores: the learned models refit on 1.5 million rows), a 10 % cap per stock, a
        volatility study on 20 of them and so no volatility rescaling of the covariance.
        """
        base: dict[str, Any] = {"universe": universe}
        if universe == "stocks":
            base |= {
                "max_tickers": 100,
                "vol_tickers": 20,
                "max_weight": 0.10,
                "rescale_vol": False,
            }
        return cls.model_validate(base | overrides)

    def config_hash(self) -> str:
        """First 16 hex digits of a SHA-256 over the configuration as sorted JSON."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
