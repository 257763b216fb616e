"""Volatility forecasters behind one contract, judged out of sample (walk-forward QLIKE).

``fit(returns)`` on one asset's daily log returns up to the origin, ``update(returns)`` to
re-filter with the fitted parameters, ``predict(horizon)`` the annualised volatility over the
next ``horizon`` sessions. Models: :class:`EWMAVol`, :class:`GarchVol`, :class:`GjrGarchVol`,
:class:`HarVol`, :class:`LstmVol` (needs PyTorch, imported only when used) and the naive
:class:`HistoricalVol`. :func:`evaluate_vol_models` scores them walk-forward,
:func:`best_model` picks the lowest mean QLIKE and :func:`vol_rescale` puts forecast vols into
a covariance matrix.
"""

from microfolio.signals.volatility.base import VolatilityForecaster, annualised_vol
from microfolio.signals.volatility.evaluate import (
    FORECAST_COLUMNS,
    SUMMARY_COLUMNS,
    VolEvaluation,
    best_model,
    evaluate_vol_models,
)
from microfolio.signals.volatility.ewma import EWMAVol
from microfolio.signals.volatility.garch import GarchVol, GjrGarchVol
from microfolio.signals.volatility.har import HarVol
from microfolio.signals.volatility.historical import HistoricalVol
from microfolio.signals.volatility.losses import mse, qlike, qlike_loss, squared_error
from microfolio.signals.volatility.lstm import LstmVol
from microfolio.signals.volatility.proxies import RANGE_METHODS, range_variance
from microfolio.signals.volatility.rescale import vol_rescale
from microfolio.signals.volatility.target import forward_realised_variance

__all__ = [
    "FORECAST_COLUMNS",
    "RANGE_METHODS",
    "SUMMARY_COLUMNS",
    "EWMAVol",
    "GarchVol",
    "GjrGarchVol",
    "HarVol",
    "HistoricalVol",
    "LstmVol",
    "VolEvaluation",
    "VolatilityForecaster",
    "annualised_vol",
    "best_model",
    "evaluate_vol_models",
    "forward_realised_variance",
    "mse",
    "qlike",
    "qlike_loss",
    "range_variance",
    "squared_error",
    "vol_rescale",
]
