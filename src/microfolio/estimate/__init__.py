"""Return, covariance and expected-return estimators (periodic returns in, annualised out)."""

from microfolio.estimate.base import CovarianceEstimator, ExpectedReturnsEstimator, check_returns
from microfolio.estimate.covariance import EWMACovariance, SampleCovariance
from microfolio.estimate.expected_returns import (
    EquilibriumReturns,
    EWMAMean,
    ExternalReturns,
    HistoricalMean,
)
from microfolio.estimate.factor import FactorCovariance
from microfolio.estimate.missing import MissingPolicy
from microfolio.estimate.moments import ewma_weights
from microfolio.estimate.psd import PSD_EPS, RepairReport, is_positive_definite, repair_psd
from microfolio.estimate.returns import (
    TRADING_DAYS,
    annualise_covariance,
    annualise_mean,
    annualise_volatility,
    returns_from_prices,
)
from microfolio.estimate.shrinkage import OAS, LedoitWolf

__all__ = [
    "OAS",
    "PSD_EPS",
    "TRADING_DAYS",
    "CovarianceEstimator",
    "EWMACovariance",
    "EWMAMean",
    "EquilibriumReturns",
    "ExpectedReturnsEstimator",
    "ExternalReturns",
    "FactorCovariance",
    "HistoricalMean",
    "LedoitWolf",
    "MissingPolicy",
    "RepairReport",
    "SampleCovariance",
    "annualise_covariance",
    "annualise_mean",
    "annualise_volatility",
    "check_returns",
    "ewma_weights",
    "is_positive_definite",
    "repair_psd",
    "returns_from_prices",
]
