"""Onboard a client: an answers file in, risk profile, score breakdown and assigned model out.

The answers file is JSON (unknown keys are refused)::

    {
      "questionnaire_version": "v1",
      "answers": {"drop_reaction": "hold", "portfolio_choice": "minus15_plus20", ...},
      "goal": {"type": "retirement", "target_date": "2045-06-30"}
    }

``answers`` maps every question id of that questionnaire version to one of its option ids
(see ``microfolio/advisor/questionnaires/<version>.json``); ``goal.type`` is one of
retirement, major_purchase, education, general, emergency_fund. The assigned risk level is the
profile's level moved along the goal's glide path to ``as_of``; the model is ``model-<level>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from microfolio.advisor.goals import GlidePath, Goal, GoalType
from microfolio.advisor.questionnaire import load_questionnaire
from microfolio.advisor.risk_profile import RiskProfile, score_answers
from microfolio.errors import DataFormatError, NotFoundError

__all__ = ["AnswersFile", "GoalSpec", "OnboardResult", "model_name", "onboard", "read_answers"]


class GoalSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: GoalType
    target_date: date


class AnswersFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    questionnaire_version: str = Field(min_length=1)
    answers: dict[str, str]
    goal: GoalSpec


def model_name(level: int) -> str:
    """The model portfolio for a risk level (the real models come with the model family)."""
    return f"model-{level}"


def read_answers(path: Path) -> AnswersFile:
    """Parse an answers file; any problem is a ``DataFormatError`` naming the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFoundError(f"answers file {str(path)!r} does not exist") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(f"answers file {str(path)!r} is not readable JSON: {exc}") from exc
    try:
        return AnswersFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise DataFormatError(
            f"answers file {str(path)!r}: field {where!r}: {first['msg']}"
            + (f" ({exc.error_count() - 1} more)" if exc.error_count() > 1 else "")
        ) from exc


@dataclass(frozen=True, slots=True)
class OnboardResult:
    as_of: date
    goal: Goal
    profile: RiskProfile
    glide: GlidePath
    risk_level: int

    @property
    def model(self) -> str:
        return model_name(self.risk_level)

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire_version": self.profile.questionnaire_version,
            "as_of": self.as_of.isoformat(),
            "goal": {
                "type": self.goal.type.value,
                "target_date": self.goal.target_date.isoformat(),
                "years_left": round(self.goal.years_left(self.as_of), 4),
            },
            "profile": self.profile.to_dict(),
            "glide_path": {
                "start": self.glide.start,
                "floor": self.glide.floor,
                "level": self.risk_level,
            },
            "risk_level": self.risk_level,
            "model": self.model,
        }


def onboard(answers: AnswersFile, as_of: date) -> OnboardResult:
    """Score the answers, move the level along the goal's glide path to ``as_of``."""
    questionnaire = load_questionnaire(answers.questionnaire_version)
    goal = Goal(type=answers.goal.type, target_date=answers.goal.target_date)
    profile = score_answers(questionnaire, answers.answers, horizon_years=goal.years_left(as_of))
    glide = GlidePath(goal=goal, start=profile.level)
    return OnboardResult(
        as_of=as_of, goal=goal, profile=profile, glide=glide, risk_level=glide.risk_at(as_of)
    )
