"""Return forecasters behind one interface: features in, cross-sectional scores out.

``fit(X, y)`` on a :class:`~microfolio.features.FeatureFrame` and a forward label with the same
(date, ticker) rows; ``predict(X)`` gives :class:`ForecastScores`: a score and a confidence per
(date, ticker) (or per date), the model id and its parameters. Models:
:class:`ElasticNetForecaster`, :class:`RandomForestForecaster`,
:class:`GradientBoostingForecaster` (needs LightGBM) and :class:`LstmForecaster` (needs
PyTorch; neither is imported until a model is fitted), and the baselines
:class:`ZeroForecaster`, :class:`MomentumBaseline` and :class:`HistoricalMeanBaseline`. Every
fit is seeded and single-threaded, so it repeats exactly. Judge them with
:mod:`microfolio.signals.validation`.
"""

from microfolio.signals.forecast.base import BaseForecaster, Forecaster, LinearlyExplained
from microfolio.signals.forecast.baselines import (
    HistoricalMeanBaseline,
    MomentumBaseline,
    ZeroForecaster,
)
from microfolio.signals.forecast.elastic_net import ElasticNetForecaster
from microfolio.signals.forecast.gradient_boosting import GradientBoostingForecaster
from microfolio.signals.forecast.lstm import LstmForecaster, sequence_windows
from microfolio.signals.forecast.random_forest import RandomForestForecaster
from microfolio.signals.forecast.scores import (
    ConfidenceLevel,
    ForecastScores,
    confidence_from_uncertainty,
)
from microfolio.signals.forecast.zscore import cross_sectional_zscore

__all__ = [
    "BaseForecaster",
    "ConfidenceLevel",
    "ElasticNetForecaster",
    "ForecastScores",
    "Forecaster",
    "GradientBoostingForecaster",
    "HistoricalMeanBaseline",
    "LinearlyExplained",
    "LstmForecaster",
    "MomentumBaseline",
    "RandomForestForecaster",
    "ZeroForecaster",
    "confidence_from_uncertainty",
    "cross_sectional_zscore",
    "sequence_windows",
]
