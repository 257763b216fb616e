"""Clients and model portfolios."""

from microfolio.advisor.model_portfolio import InverseVolModel, ModelPortfolio

__all__ = ["InverseVolModel", "ModelPortfolio"]
