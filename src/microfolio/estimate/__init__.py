"""Return, covariance and expected-return estimators."""

from microfolio.estimate.base import CovarianceEstimator, ExpectedReturnsEstimator, check_returns
from microfolio.estimate.covariance import SampleCovariance
from microfolio.estimate.expected_returns import HistoricalMean
from microfolio.estimate.returns import TRADING_DAYS, annualise_volatility, returns_from_prices

__all__ = [
    "TRADING_DAYS",
    "CovarianceEstimator",
    "ExpectedReturnsEstimator",
    "HistoricalMean",
    "SampleCovariance",
    "annualise_volatility",
    "check_returns",
    "returns_from_prices",
]
