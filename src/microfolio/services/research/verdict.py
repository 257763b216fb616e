"""The honest verdict: did any model's strategy beat the baselines after costs, and how surely?

A model strategy **beats the baselines** only if its net Sharpe ratio exceeds that of every
baseline **and** its deflated Sharpe ratio is at least :data:`CONFIDENCE` (0.95): the
probability that its Sharpe ratio is above what the best of all the strategies tried would
reach by luck. Otherwise the sentence says plainly that none did, and gives the best deflated
Sharpe ratio of the table. A model that never gave a view held the equal-weight prior: it is
not "the best model strategy" (another model's that acted is, if any), and the sentence names
such models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from microfolio.errors import InvariantError
from microfolio.services.research.scores import StrategyScore

__all__ = ["CONFIDENCE", "Verdict", "verdict"]

#: the deflated Sharpe ratio a model strategy needs to count as beating the baselines
CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Verdict:
    """The sentence and the facts behind it."""

    sentence: str
    winners: tuple[str, ...]  #: model strategies that beat every baseline with confidence
    best_model: str  #: the model strategy with the highest net Sharpe
    best_baseline: str  #: the baseline with the highest net Sharpe
    best_dsr: str  #: the strategy with the highest deflated Sharpe ratio
    n_trials: int
    cost_bps: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "winners": list(self.winners),
            "best_model": self.best_model,
            "best_baseline": self.best_baseline,
            "best_deflated_sharpe": self.best_dsr,
            "n_trials": self.n_trials,
            "cost_bps": self.cost_bps,
            "confidence_required": CONFIDENCE,
        }


def verdict(strategies: Sequence[StrategyScore], cost_bps: float) -> Verdict:
    """Judge the model strategies against the baselines (see the module)."""
    models = [s for s in strategies if s.kind == "model"]
    baselines = [s for s in strategies if s.kind == "baseline"]
    if not models or not baselines:
        raise InvariantError("a verdict needs at least one model strategy and one baseline")
    top = max(baselines, key=lambda s: s.sharpe)
    silent = [s for s in models if s.views_share == 0.0]
    best = max([s for s in models if s not in silent] or models, key=lambda s: s.sharpe)
    surest = max(strategies, key=lambda s: s.dsr)
    n = max(s.n_trials for s in strategies)
    costs = f"{cost_bps:g} bp"
    above = [s for s in models if s.sharpe > top.sharpe]
    winners = [s for s in above if s.dsr >= CONFIDENCE]
    against = f"the best baseline, {top.name}, had {top.sharpe:.2f}"
    if winners:
        parts = [
            f"{s.name} (net Sharpe {s.sharpe:.2f}, deflated Sharpe ratio {s.dsr:.2f})"
            for s in sorted(winners, key=lambda s: -s.sharpe)
        ]
        sentence = (
            f"After {costs} costs, {_join(parts)} beat every baseline ({against}) with at "
            f"least {CONFIDENCE:.0%} confidence that the edge is not the luck of the best of "
            f"{n} distinct strategies tried."
        )
    elif above:
        parts = [f"{s.name} ({s.sharpe:.2f}, deflated {s.dsr:.2f})" for s in above]
        sentence = (
            f"No model beat the baselines after {costs} costs with confidence: "
            f"{_join(parts)} had a higher net Sharpe ratio than every baseline ({against}), "
            f"but a deflated Sharpe ratio below {CONFIDENCE:.2f} over {n} distinct strategies tried, "
            f"so the edge may be luck; the best deflated Sharpe ratio was {surest.dsr:.2f} "
            f"({surest.name})."
        )
    else:
        sentence = (
            f"No model beat the baselines after {costs} costs: the best model strategy, "
            f"{_named(best)}, had a net Sharpe ratio of {best.sharpe:.2f} and {against}; the "
            f"best deflated Sharpe ratio over the {n} distinct strategies tried was {surest.dsr:.2f} "
            f"({surest.name})."
        )
    if silent:
        names = _join([s.name for s in silent])
        one = len(silent) == 1
        sentence += (
            f" {names} never gave a view: {'its' if one else 'their'} portfolio was the "
            "equal-weight prior."
        )
    return Verdict(
        sentence=sentence,
        winners=tuple(s.name for s in winners),
        best_model=best.name,
        best_baseline=top.name,
        best_dsr=surest.name,
        n_trials=n,
        cost_bps=float(cost_bps),
    )


def _named(strategy: StrategyScore) -> str:
    """A model strategy's name, saying so when it never had a view (it held the prior)."""
    if strategy.views_share == 0.0:
        return f"{strategy.name} (no views at any rebalance: the equal-weight prior)"
    return strategy.name


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
