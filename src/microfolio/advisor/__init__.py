"""Clients and model portfolios."""

from microfolio.advisor.goals import GlidePath, Goal, GoalType
from microfolio.advisor.model_portfolio import InverseVolModel, ModelPortfolio
from microfolio.advisor.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from microfolio.advisor.risk_profile import RiskProfile, score_answers

__all__ = [
    "GlidePath",
    "Goal",
    "GoalType",
    "InverseVolModel",
    "ModelPortfolio",
    "Questionnaire",
    "QuestionnaireError",
    "RiskProfile",
    "load_questionnaire",
    "score_answers",
]
