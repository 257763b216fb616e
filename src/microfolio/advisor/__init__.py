"""Clients and model portfolios."""

from microfolio.advisor.asset_classes import AssetClasses
from microfolio.advisor.goals import GlidePath, Goal, GoalType
from microfolio.advisor.model_family import (
    ClassTarget,
    ModelFamily,
    ModelFamilyModel,
    ModelSpec,
    load_spec,
)
from microfolio.advisor.model_portfolio import InverseVolModel, ModelPortfolio
from microfolio.advisor.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from microfolio.advisor.risk_profile import RiskProfile, score_answers

__all__ = [
    "AssetClasses",
    "ClassTarget",
    "GlidePath",
    "Goal",
    "GoalType",
    "InverseVolModel",
    "ModelFamily",
    "ModelFamilyModel",
    "ModelPortfolio",
    "ModelSpec",
    "Questionnaire",
    "QuestionnaireError",
    "RiskProfile",
    "load_questionnaire",
    "load_spec",
    "score_answers",
]
