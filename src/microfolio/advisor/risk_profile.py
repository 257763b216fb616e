"""Scoring a questionnaire into a :class:`RiskProfile`.

The rules, in order (each one applied is recorded in ``RiskProfile.rules`` with its effect):

1. **Dimension scores.** Willingness and capacity are each ``10 * points / max points`` over the
   questions of that dimension, so each lies on 0-10.
2. **Min rule.** The overall score weights the more risk-averse (lower) of the two by
   ``AVERSE_WEIGHT = 0.75`` and the other by ``0.25``: a client who is willing but cannot afford
   losses (or the reverse) is scored near the lower of the two.
3. **Consistency penalty.** Every ``penalty`` rule of the questionnaire that the answers trip
   lowers the score by that rule's ``penalty`` (v1: 1.5 and 1.0 points); the score never drops
   below 0.
4. **Risk level.** The score rounded half up to an integer on 0-10.
5. **Short-horizon cap.** When the goal is less than ``SHORT_HORIZON_YEARS = 3`` years away (by
   its target date, or by the horizon answer when no date is given), the level is capped at
   ``SHORT_HORIZON_CAP = 2`` whatever the answers.

A horizon answer more than ``HORIZON_TOLERANCE_YEARS = 1`` year outside the goal's actual time
to its target date is a contradiction: the answers are refused, naming the question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microfolio.advisor.questionnaire import Dimension, Questionnaire, QuestionnaireError

__all__ = [
    "AVERSE_WEIGHT",
    "HORIZON_TOLERANCE_YEARS",
    "SHORT_HORIZON_CAP",
    "SHORT_HORIZON_YEARS",
    "AppliedRule",
    "QuestionScore",
    "RiskProfile",
    "score_answers",
]

#: weight of the lower (more risk-averse) of willingness and capacity in the overall score
AVERSE_WEIGHT = 0.75
#: goals nearer than this many years cap the risk level
SHORT_HORIZON_YEARS = 3.0
#: the cap on the risk level for a short horizon
SHORT_HORIZON_CAP = 2
MAX_LEVEL = 10


@dataclass(frozen=True, slots=True)
class QuestionScore:
    question: str
    dimension: Dimension
    option: str
    points: int
    max_points: int


@dataclass(frozen=True, slots=True)
class AppliedRule:
    """One scoring rule that was applied; ``effect`` is the change it made to the score/level."""

    rule: str
    detail: str
    effect: float


@dataclass(frozen=True, slots=True)
class RiskProfile:
    questionnaire_version: str
    willingness: float
    capacity: float
    score: float
    level: int
    breakdown: tuple[QuestionScore, ...]
    rules: tuple[AppliedRule, ...]

    def __post_init__(self) -> None:
        from microfolio.errors import InvariantError

        for name in ("willingness", "capacity", "score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 10.0:
                raise InvariantError(f"{name} must lie on 0-10, got {value}")
        if not 0 <= self.level <= MAX_LEVEL:
            raise InvariantError(f"level must lie on 0-{MAX_LEVEL}, got {self.level}")

    @property
    def inconsistent(self) -> bool:
        return any(r.rule.startswith("consistency:") for r in self.rules)

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire_version": self.questionnaire_version,
            "willingness": round(self.willingness, 4),
            "capacity": round(self.capacity, 4),
            "score": round(self.score, 4),
            "level": self.level,
            "breakdown": [
                {
                    "question": q.question,
                    "dimension": q.dimension,
                    "option": q.option,
                    "points": q.points,
                    "max_points": q.max_points,
                }
                for q in self.breakdown
            ],
            "rules": [
                {"rule": r.rule, "detail": r.detail, "effect": round(r.effect, 4)}
                for r in self.rules
            ],
        }


def _dimension_score(breakdown: tuple[QuestionScore, ...], dimension: Dimension) -> float:
    got = sum(q.points for q in breakdown if q.dimension == dimension)
    best = sum(q.max_points for q in breakdown if q.dimension == dimension)
    return 10.0 * got / best if best else 0.0


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def score_answers(
    questionnaire: Questionnaire,
    answers: Mapping[str, str],
    *,
    horizon_years: float | None = None,
) -> RiskProfile:
    """Score ``answers`` (option id by question id) into a risk profile.

    ``horizon_years`` is the time to the goal's target date; it decides the short-horizon cap
    (when None, the horizon answer decides). Raises ``QuestionnaireError`` naming the question
    for missing, unknown or contradictory answers.
    """
    questionnaire.validate_answers(answers)
    if horizon_years is not None:
        _check_horizon(questionnaire, answers, horizon_years)
    breakdown = tuple(
        QuestionScore(
            question=q.id,
            dimension=q.dimension,
            option=answers[q.id],
            points=q.option(answers[q.id]).points,
            max_points=q.max_points,
        )
        for q in questionnaire.questions
    )
    willingness = _dimension_score(breakdown, "willingness")
    capacity = _dimension_score(breakdown, "capacity")
    lower, higher = min(willingness, capacity), max(willingness, capacity)
    score = AVERSE_WEIGHT * lower + (1.0 - AVERSE_WEIGHT) * higher
    averse = "willingness" if willingness <= capacity else "capacity"
    rules = [
        AppliedRule(
            "min_rule",
            f"{AVERSE_WEIGHT:g} x {averse} ({lower:.2f}) + {1 - AVERSE_WEIGHT:g} x the other "
            f"({higher:.2f}) = {score:.2f}",
            score - (willingness + capacity) / 2.0,
        )
    ]
    for rule in questionnaire.inconsistencies(answers):
        new = max(0.0, score - rule.penalty)
        rules.append(
            AppliedRule(
                f"consistency:{rule.id}",
                f"{rule.when.question} vs {rule.conflicts_with.question}: {rule.message}",
                new - score,
            )
        )
        score = new
    level = min(MAX_LEVEL, max(0, _round_half_up(score)))
    short = _is_short(questionnaire, answers, horizon_years)
    if short and level > SHORT_HORIZON_CAP:
        source = (
            f"goal {horizon_years:.2f} years away"
            if horizon_years is not None
            else "horizon answer"
        )
        rules.append(
            AppliedRule(
                "short_horizon_cap",
                f"{source} (< {SHORT_HORIZON_YEARS:g}): level capped at {SHORT_HORIZON_CAP}",
                float(SHORT_HORIZON_CAP - level),
            )
        )
        level = SHORT_HORIZON_CAP
    return RiskProfile(
        questionnaire_version=questionnaire.version,
        willingness=willingness,
        capacity=capacity,
        score=score,
        level=level,
        breakdown=breakdown,
        rules=tuple(rules),
    )


#: years of slack allowed between the horizon answer and the goal's target date
HORIZON_TOLERANCE_YEARS = 1.0


def _check_horizon(
    questionnaire: Questionnaire, answers: Mapping[str, str], horizon_years: float
) -> None:
    """Refuse a horizon answer that contradicts the goal's target date (beyond the tolerance)."""
    for q in questionnaire.questions:
        option = q.option(answers[q.id])
        if option.years is None:
            continue
        low, high = option.years
        if horizon_years < low - HORIZON_TOLERANCE_YEARS or (
            high is not None and horizon_years > high + HORIZON_TOLERANCE_YEARS
        ):
            span = f"{low:g} to {high:g}" if high is not None else f"more than {low:g}"
            raise QuestionnaireError(
                q.id,
                f"answer {option.id!r} ({span} years) contradicts the goal's target date, "
                f"{horizon_years:.1f} years away",
            )


def _is_short(
    questionnaire: Questionnaire, answers: Mapping[str, str], horizon_years: float | None
) -> bool:
    if horizon_years is not None:
        return horizon_years < SHORT_HORIZON_YEARS
    for q in questionnaire.questions:
        years = q.option(answers[q.id]).years
        if years is not None and years[1] is not None and years[1] <= SHORT_HORIZON_YEARS:
            return True
    return False
