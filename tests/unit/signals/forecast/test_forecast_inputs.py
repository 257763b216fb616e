"""The forecaster contract refuses bad inputs and parameters with one clear line."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from forecast_testdata import synthetic

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError, NotFoundError
from microfolio.features import FeatureFrame
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

FACTORIES: dict[str, Callable[[], BaseForecaster]] = {
    "elastic_net": ElasticNetForecaster,
    "random_forest": lambda: RandomForestForecaster(n_estimators=3),
    "gradient_boosting": lambda: GradientBoostingForecaster(n_estimators=3),
    "lstm": lambda: LstmForecaster(lookback=2, epochs=1, hidden_size=2, mc_samples=2),
    "zero": ZeroForecaster,
    "momentum": lambda: MomentumBaseline(feature="signal"),
    "historical_mean": HistoricalMeanBaseline,
}


@pytest.mark.parametrize("name", FACTORIES)
def test_misaligned_labels_are_refused(name: str) -> None:
    x, y = synthetic(n_dates=10)

    with pytest.raises(DataFormatError, match=r"y must have the \(date, ticker\) rows of X"):
        FACTORIES[name]().fit(x, y.iloc[:-3])
    with pytest.raises(DataFormatError, match="in its order"):
        FACTORIES[name]().fit(x, y.iloc[::-1])


@pytest.mark.parametrize("name", FACTORIES)
def test_empty_or_foreign_features_are_refused(name: str) -> None:
    x, y = synthetic(n_dates=10)
    empty = FeatureFrame(x.frame.iloc[:0])

    with pytest.raises(DataFormatError, match="X has no rows"):
        FACTORIES[name]().fit(empty, y.iloc[:0])
    with pytest.raises(DataFormatError, match="X must be a FeatureFrame, got DataFrame"):
        FACTORIES[name]().fit(x.frame, y)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", FACTORIES)
def test_predict_before_fit_is_refused(name: str) -> None:
    x, _ = synthetic(n_dates=10)

    with pytest.raises(MicrofolioError, match="is not fitted: call fit"):
        FACTORIES[name]().predict(x)


@pytest.mark.parametrize("name", FACTORIES)
def test_predict_needs_the_features_of_the_fit(name: str) -> None:
    x, y = synthetic(n_dates=10)
    model = FACTORIES[name]().fit(x, y)
    fewer = FeatureFrame(x.frame[["signal", "noise_a"]])

    with pytest.raises(NotFoundError, match=r"features the model was fitted on \(missing"):
        model.predict(fewer)


def test_rows_with_a_missing_label_or_feature_are_dropped_and_counted() -> None:
    x, y = synthetic(n_dates=10)
    frame = x.frame
    frame.iloc[3, 1] = np.nan
    labels = y.copy()
    labels.iloc[[0, 3, 7]] = np.nan

    model = ElasticNetForecaster().fit(FeatureFrame(frame), labels)

    assert model.n_train_ == len(frame) - 3
    assert model.n_dropped_ == 3
    scored = model.predict(FeatureFrame(frame)).scores
    assert len(scored) == len(frame) - 1  # the row without a feature cannot be scored


def test_a_fit_without_usable_rows_or_with_a_constant_label_is_refused() -> None:
    x, y = synthetic(n_dates=10)

    with pytest.raises(DataFormatError, match="X and y have 0 usable rows with a label"):
        ElasticNetForecaster().fit(x, y * np.nan)
    with pytest.raises(DataFormatError, match="y is constant"):
        ElasticNetForecaster().fit(x, y * 0.0 + 0.01)
    with pytest.raises(DataFormatError, match="y has infinite values"):
        ElasticNetForecaster().fit(x, y.replace(y.iloc[0], np.inf))
    bad_index = pd.Series(y.to_numpy(), name="y")
    with pytest.raises(DataFormatError, match=r"y index must be a \(date, ticker\) MultiIndex"):
        ElasticNetForecaster().fit(x, bad_index)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (ElasticNetForecaster(alpha=-1.0), "alpha must be positive and finite, got -1.0"),
        (ElasticNetForecaster(l1_ratio=2.0), r"l1_ratio must be a number in \[0, 1\], got 2.0"),
        (ElasticNetForecaster(horizon=0), "horizon must be an integer >= 1, got 0"),
        (ElasticNetForecaster(zscore_by_date=1), "zscore_by_date must be True or False"),  # type: ignore[arg-type]
        (RandomForestForecaster(n_estimators=0), "n_estimators must be an integer >= 1"),
        (RandomForestForecaster(max_features=0.0), r"max_features must be a number in \(0, 1\]"),
        (GradientBoostingForecaster(subsample=1.5), r"subsample must be a number in \(0, 1\]"),
        (GradientBoostingForecaster(random_state=-1), "random_state must be an integer >= 0"),
        (LstmForecaster(lookback=0), "lookback must be an integer >= 1, got 0"),
        (LstmForecaster(dropout=0.0), "dropout must be above 0"),
        (LstmForecaster(mc_samples=1), "mc_samples must be an integer >= 2"),
        (HistoricalMeanBaseline(min_observations=1), "min_observations must be an integer >= 2"),
    ],
)
def test_bad_parameters_are_refused_at_fit(model: BaseForecaster, message: str) -> None:
    x, y = synthetic(n_dates=10)

    with pytest.raises(InvariantError, match=message):
        model.fit(x, y)
