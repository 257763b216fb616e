"""Return, covariance and expected-return estimators."""

from microfolio.estimate.returns import TRADING_DAYS, annualise_volatility, returns_from_prices

__all__ = ["TRADING_DAYS", "annualise_volatility", "returns_from_prices"]
