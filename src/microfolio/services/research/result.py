"""What a research run measured, as it was measured: tables, verdict, series and provenance.

:class:`ResearchResult` is frozen. Its tables (:attr:`models`, :attr:`volatility`,
:attr:`strategies`) and :attr:`verdict` are what the command prints and what
:meth:`ResearchResult.to_dict` writes as JSON, with the configuration, its hash, the data
version and the periods used for what. The series behind the report's figures (each
strategy's daily net returns, each model's IC per date) and every strategy's weights at every
rebalance date stay on the object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.lifecycle import Lifecycle
from microfolio.services.research.retrain import RetrainCheck
from microfolio.services.research.scores import ModelScore, StrategyScore, finite_or_none
from microfolio.services.research.verdict import Verdict

__all__ = ["Period", "ResearchResult", "VolScore"]


@dataclass(frozen=True, slots=True)
class Period:
    """What a stretch of the data was used for."""

    use: str
    start: str
    end: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"use": self.use, "start": self.start, "end": self.end, "note": self.note}


@dataclass(frozen=True, slots=True)
class VolScore:
    """One volatility model over the tickers of the volatility study."""

    model: str
    mean_qlike: float  #: mean across tickers of each ticker's mean QLIKE
    pooled_qlike: float  #: mean over every scored forecast
    tickers_won: int  #: tickers where its mean QLIKE was the lowest
    tickers: int
    forecasts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "mean_qlike": finite_or_none(self.mean_qlike),
            "pooled_qlike": finite_or_none(self.pooled_qlike),
            "tickers_won": self.tickers_won,
            "tickers": self.tickers,
            "forecasts": self.forecasts,
        }


@dataclass(frozen=True, slots=True, eq=False)
class ResearchResult:
    """Everything one run of the study measured (see the module)."""

    config: ResearchConfig
    config_hash: str
    data_version: str
    source_version: str
    tickers: tuple[str, ...]
    dropped: tuple[str, ...]  #: tickers the validation gate removed
    periods: tuple[Period, ...]
    rebalances: int
    models: tuple[ModelScore, ...]
    volatility: tuple[VolScore, ...]
    vol_tickers: tuple[str, ...]
    strategies: tuple[StrategyScore, ...]
    verdict: Verdict
    returns: pd.DataFrame  #: daily net returns, one column per strategy
    weights: Mapping[str, pd.DataFrame]  #: per strategy: rebalance dates x tickers
    ic: pd.DataFrame  #: IC per date, one column per model
    notes: tuple[str, ...]
    timings: Mapping[str, float]  #: seconds per stage, as measured
    #: the champion/challenger replay over the model families (None with fewer than two)
    lifecycle: Lifecycle | None = None
    #: per return model, its retraining checks (one per walk-forward split)
    retraining: tuple[tuple[str, tuple[RetrainCheck, ...]], ...] = ()

    @property
    def test_start(self) -> str:
        return str(self.returns.index[0].date())

    @property
    def test_end(self) -> str:
        return str(self.returns.index[-1].date())

    def strategy(self, name: str) -> StrategyScore:
        for item in self.strategies:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The tables, the verdict and the provenance as plain JSON values."""
        best_vol = self.volatility[0].model if self.volatility else None
        return {
            "universe": self.config.universe,
            "config": self.config.model_dump(mode="json"),
            "config_hash": self.config_hash,
            "data_version": self.data_version,
            "source_version": self.source_version,
            "tickers": len(self.tickers),
            "dropped_by_gate": list(self.dropped),
            "test_start": self.test_start,
            "test_end": self.test_end,
            "rebalances": self.rebalances,
            "periods": [p.to_dict() for p in self.periods],
            "models": [m.to_dict() for m in self.models],
            "volatility": {
                "tickers": len(self.vol_tickers),
                "best": best_vol,
                "models": [v.to_dict() for v in self.volatility],
            },
            "strategies": [s.to_dict() for s in self.strategies],
            "verdict": self.verdict.to_dict(),
            "lifecycle": self._lifecycle_dict(),
            "retraining": {
                name: {
                    "checks": len(checks),
                    "refits": sum(c.refit for c in checks),
                    "reasons": dict(Counter(r for c in checks for r in c.reasons)),
                }
                for name, checks in self.retraining
            },
            "notes": list(self.notes),
            "timings_seconds": {k: round(v, 1) for k, v in self.timings.items()},
        }

    def _lifecycle_dict(self) -> dict[str, Any] | None:
        if self.lifecycle is None:
            return None
        steps = [
            {
                "date": step.date.isoformat(),
                "incumbent": step.incumbent,
                "incumbent_ic": finite_or_none(step.incumbent_ic),
                "challenger": step.challenger,
                "challenger_ic": finite_or_none(step.challenger_ic),
                "promoted": step.promoted,
                "champion": step.champion,
                "switched": step.switched,
                "reason": step.reason,
            }
            for step in self.lifecycle.decisions
        ]
        return {"kind": self.lifecycle.kind, "switches": self.lifecycle.switches, "steps": steps}
