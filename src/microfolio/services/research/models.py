"""The models a research run can name, built from their names with fixed parameters.

Return models keep their defaults (set a priori by the engineer who wrote them) except
``zscore_by_date``, which the run fixes to True or chooses on the first training window
(``ResearchConfig.tune``), and the label ``horizon`` of the models that hold out a validation
block. ``fast`` (for tests) shrinks the learned models: fewer trees, one LSTM epoch.
"""

from __future__ import annotations

from microfolio.errors import NotFoundError
from microfolio.signals.forecast import (
    BaseForecaster,
    ElasticNetForecaster,
    GradientBoostingForecaster,
    HistoricalMeanBaseline,
    LstmForecaster,
    MomentumBaseline,
    RandomForestForecaster,
    ZeroForecaster,
)
from microfolio.signals.volatility import (
    EWMAVol,
    GarchVol,
    GjrGarchVol,
    HarVol,
    LstmVol,
    VolatilityForecaster,
)

__all__ = ["LEARNED", "forecaster", "vol_model"]

#: the return models whose fit learns from features (and so take ``zscore_by_date``)
LEARNED: frozenset[str] = frozenset({"elastic_net", "random_forest", "gradient_boosting", "lstm"})


def forecaster(
    name: str, horizon: int, seed: int, zscore_by_date: bool = True, fast: bool = False
) -> BaseForecaster:
    """A fresh, unfitted return model by name."""
    z = bool(zscore_by_date)
    if name == "zero":
        return ZeroForecaster()
    if name == "momentum":
        return MomentumBaseline()
    if name == "historical_mean":
        return HistoricalMeanBaseline()
    if name == "elastic_net":
        return ElasticNetForecaster(zscore_by_date=z, horizon=horizon)
    if name == "random_forest":
        trees = 20 if fast else 100
        return RandomForestForecaster(n_estimators=trees, zscore_by_date=z, random_state=seed)
    if name == "gradient_boosting":
        rounds = 40 if fast else 200
        return GradientBoostingForecaster(
            n_estimators=rounds, zscore_by_date=z, horizon=horizon, random_state=seed
        )
    if name == "lstm":
        if fast:
            return LstmForecaster(
                hidden_size=8, epochs=1, mc_samples=5, zscore_by_date=z, random_state=seed
            )
        return LstmForecaster(zscore_by_date=z, random_state=seed)
    raise NotFoundError(f"unknown return model {name!r}")


def vol_model(name: str, seed: int, fast: bool = False) -> VolatilityForecaster:
    """A fresh, unfitted volatility model by name."""
    if name == "ewma":
        return EWMAVol()
    if name == "garch":
        return GarchVol()
    if name == "gjr_garch":
        return GjrGarchVol()
    if name == "har":
        return HarVol()
    if name == "lstm":
        return LstmVol(epochs=2, random_state=seed) if fast else LstmVol(random_state=seed)
    raise NotFoundError(f"unknown volatility model {name!r}")
