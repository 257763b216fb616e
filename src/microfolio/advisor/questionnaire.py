"""The risk questionnaire, versioned as data (``advisor/questionnaires/<version>.json``).

Each question scores one dimension: ``willingness`` (behaviour under loss) or ``capacity``
(horizon, income stability, liquid net worth against the goal). Each answer option carries its
points. Consistency rules pair an answer with another answer that contradicts it; a rule of
severity ``penalty`` lowers the score by its ``penalty`` (see :mod:`risk_profile`), a rule of
severity ``reject`` refuses the answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from microfolio.errors import MicrofolioError, NotFoundError

__all__ = [
    "ConsistencyRule",
    "Dimension",
    "Option",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "RuleMatch",
    "available_versions",
    "load_questionnaire",
]

Dimension = Literal["willingness", "capacity"]


class QuestionnaireError(MicrofolioError, ValueError):
    """Answers that are missing, unknown or contradictory; ``question`` names the question."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(f"question {question!r}: {message}")
        self.question = question


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    id: str = Field(min_length=1)
    label: str
    points: int = Field(ge=0)
    #: for horizon options: [from, to) in years, ``to`` None for open-ended
    years: tuple[float, float | None] | None = None


class Question(_Frozen):
    id: str = Field(min_length=1)
    dimension: Dimension
    text: str
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_options(self) -> Question:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id!r} has duplicate option ids: {ids}")
        return self

    @property
    def max_points(self) -> int:
        return max(o.points for o in self.options)

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        choices = ", ".join(o.id for o in self.options)
        raise QuestionnaireError(self.id, f"unknown option {option_id!r} (one of: {choices})")


class RuleMatch(_Frozen):
    question: str
    options: tuple[str, ...]


class ConsistencyRule(_Frozen):
    id: str
    severity: Literal["penalty", "reject"]
    penalty: float = Field(ge=0.0, le=10.0)
    when: RuleMatch
    conflicts_with: RuleMatch
    message: str

    def fires(self, answers: Mapping[str, str]) -> bool:
        return (
            answers.get(self.when.question) in self.when.options
            and answers.get(self.conflicts_with.question) in self.conflicts_with.options
        )


class Questionnaire(_Frozen):
    version: str = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    consistency_rules: tuple[ConsistencyRule, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate question ids: {ids}")
        for dim in ("willingness", "capacity"):
            if not any(q.dimension == dim for q in self.questions):
                raise ValueError(f"no question scores {dim!r}")
        for rule in self.consistency_rules:
            for match in (rule.when, rule.conflicts_with):
                question = self.question(match.question)
                for option_id in match.options:
                    question.option(option_id)
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise QuestionnaireError(question_id, f"unknown question id in version {self.version!r}")

    def dimension_questions(self, dimension: Dimension) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.dimension == dimension)

    def validate_answers(self, answers: Mapping[str, str]) -> None:
        """Refuse unknown question ids, unknown options, missing answers and ``reject`` rules."""
        for question_id, option_id in answers.items():
            self.question(question_id).option(option_id)
        for q in self.questions:
            if q.id not in answers:
                raise QuestionnaireError(q.id, "missing answer")
        for rule in self.consistency_rules:
            if rule.severity == "reject" and rule.fires(answers):
                raise QuestionnaireError(
                    rule.conflicts_with.question,
                    f"contradicts {rule.when.question!r}: {rule.message}",
                )

    def inconsistencies(self, answers: Mapping[str, str]) -> tuple[ConsistencyRule, ...]:
        """The ``penalty`` rules that the answers trip."""
        return tuple(
            r for r in self.consistency_rules if r.severity == "penalty" and r.fires(answers)
        )


def available_versions() -> tuple[str, ...]:
    """The questionnaire versions shipped with the package."""
    folder = resources.files("microfolio.advisor") / "questionnaires"
    return tuple(
        sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))
    )


def load_questionnaire(version: str = "v1") -> Questionnaire:
    """Read a shipped questionnaire version; its ``version`` field must match the file name."""
    if version not in available_versions():
        raise NotFoundError(
            f"questionnaire version {version!r} does not exist "
            f"(available: {', '.join(available_versions())})"
        )
    text = (resources.files("microfolio.advisor") / "questionnaires" / f"{version}.json").read_text(
        encoding="utf-8"
    )
    try:
        questionnaire = Questionnaire.model_validate(json.loads(text))
    except (ValidationError, json.JSONDecodeError, QuestionnaireError) as exc:
        raise MicrofolioError(f"questionnaire {version!r} is not valid: {exc}") from exc
    if questionnaire.version != version:
        raise MicrofolioError(
            f"questionnaire file {version}.json says version {questionnaire.version!r}"
        )
    return questionnaire
