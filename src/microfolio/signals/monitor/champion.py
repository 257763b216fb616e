"""Champion or challenger: does a new model beat the one in use by enough to replace it?

:func:`champion_challenger` is pure. Both models must have been scored on the **same**
validation window (else the comparison is refused: a later window may simply have been an
easier market). The challenger wins only if it is better on ``metric`` by **more than**
``min_improvement`` (in the metric's units; direction set by ``higher_is_better``); a tie, or a
gain of exactly the margin, keeps the champion (the incumbent needs no change). Gains within
1e-12 of the margin count as equal, so floating-point noise never promotes a model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from microfolio.errors import InvariantError, NotFoundError
from microfolio.signals.monitor._checks import check_non_negative, check_text
from microfolio.signals.monitor.record import ValidationScores

__all__ = ["ChallengeDecision", "champion_challenger"]

_TOLERANCE = 1e-12


@dataclass(frozen=True, slots=True)
class ChallengeDecision:
    """The outcome and its numbers: ``improvement`` is the challenger's gain on ``metric``
    (positive: better, whatever the metric's direction)."""

    promote: bool
    metric: str
    champion_score: float
    challenger_score: float
    improvement: float
    min_improvement: float
    reason: str

    def __post_init__(self) -> None:
        check_text("metric", self.metric)
        check_text("reason", self.reason)
        for name in ("champion_score", "challenger_score", "improvement", "min_improvement"):
            value = getattr(self, name)
            if not (isinstance(value, float) and math.isfinite(value)):
                raise InvariantError(f"{name} must be a finite float, got {value!r}")
        if self.promote and self.improvement <= self.min_improvement:
            raise InvariantError(
                f"promote needs improvement above min_improvement {self.min_improvement}, "
                f"got {self.improvement}"
            )


def champion_challenger(
    champion_scores: ValidationScores,
    challenger_scores: ValidationScores,
    metric: str,
    min_improvement: float = 0.0,
    higher_is_better: bool = True,
) -> ChallengeDecision:
    """Whether the challenger replaces the champion (module doc), with the reason."""
    for name, scores in (
        ("champion_scores", champion_scores),
        ("challenger_scores", challenger_scores),
    ):
        if not isinstance(scores, ValidationScores):
            raise InvariantError(f"{name} must be ValidationScores, got {type(scores).__name__}")
    check_text("metric", metric)
    margin = check_non_negative("min_improvement", min_improvement)
    if not isinstance(higher_is_better, bool):
        raise InvariantError(f"higher_is_better must be True or False, got {higher_is_better!r}")
    if champion_scores.window != challenger_scores.window:
        raise InvariantError(
            f"validation windows differ: champion {_span(champion_scores)}, challenger "
            f"{_span(challenger_scores)}; score both on the same window"
        )
    champion = _score("champion", champion_scores, metric)
    challenger = _score("challenger", challenger_scores, metric)
    improvement = challenger - champion if higher_is_better else champion - challenger
    promote = improvement > margin + _TOLERANCE * max(1.0, abs(champion), abs(challenger))
    better = "higher" if higher_is_better else "lower"
    numbers = (
        f"{metric} {challenger:.6g} against {champion:.6g} ({better} is better) on "
        f"{_span(champion_scores)}: improvement {improvement:.6g}"
    )
    reason = (
        f"challenger wins: {numbers} > margin {margin:.6g}"
        if promote
        else f"champion stays: {numbers} does not exceed margin {margin:.6g}"
    )
    return ChallengeDecision(
        promote=promote,
        metric=metric,
        champion_score=champion,
        challenger_score=challenger,
        improvement=float(improvement),
        min_improvement=margin,
        reason=reason,
    )


def _score(role: str, scores: ValidationScores, metric: str) -> float:
    if metric not in scores.scores:
        raise NotFoundError(
            f"metric {metric!r} is not among the {role} scores ({', '.join(scores.scores) or 'none'})"
        )
    return scores.scores[metric]


def _span(scores: ValidationScores) -> str:
    return f"{scores.start}..{scores.end}"
