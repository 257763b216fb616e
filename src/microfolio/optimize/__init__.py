"""Portfolio optimisers (scikit-learn contract: fit, then ``weights_`` and ``cash_``)."""

from microfolio.optimize.base import BaseOptimizer, PortfolioExplanation, Solution
from microfolio.optimize.black_litterman import BlackLitterman, View, views_from_file
from microfolio.optimize.constraints import Constraints, ResolvedConstraints
from microfolio.optimize.frontier import EfficientFrontier
from microfolio.optimize.hrp import HRP
from microfolio.optimize.inverse_vol import InverseVolatility
from microfolio.optimize.mean_variance import (
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)
from microfolio.optimize.naive import EqualWeight
from microfolio.optimize.risk_parity import EqualRiskContribution, RiskBudgeting

__all__ = ["BaseOptimizer", "InverseVolatility", "PortfolioExplanation", "Solution"]
__all__ += [  # naive, HRP, risk parity, Black-Litterman
    "HRP",
    "BlackLitterman",
    "EqualRiskContribution",
    "EqualWeight",
    "RiskBudgeting",
    "View",
    "views_from_file",
]
__all__ += [  # mean-variance family and constraints
    "Constraints",
    "EfficientFrontier",
    "MaxSharpe",
    "MeanVarianceUtility",
    "MinVariance",
    "ResolvedConstraints",
    "TargetReturn",
    "TargetVolatility",
]
