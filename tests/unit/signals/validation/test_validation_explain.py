"""Explanations: permutation importance and per-forecast contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from validation_testdata import synthetic

from microfolio.errors import NotFoundError
from microfolio.features import FeatureFrame
from microfolio.signals.forecast import (
    ElasticNetForecaster,
    GradientBoostingForecaster,
    LstmForecaster,
    MomentumBaseline,
    RandomForestForecaster,
)
from microfolio.signals.validation import permutation_importance, top_contributions

XY = tuple[FeatureFrame, pd.Series]


def _halves(x: FeatureFrame, y: pd.Series) -> tuple[XY, XY]:
    dates = x.frame.index.get_level_values("date")
    cut = x.dates[len(x.dates) // 2]
    first, second = dates < cut, dates >= cut
    return (FeatureFrame(x.frame[first]), y[first]), (FeatureFrame(x.frame[second]), y[second])


@pytest.mark.parametrize(
    "model",
    [
        ElasticNetForecaster(),
        RandomForestForecaster(n_estimators=10, min_samples_leaf=20),
        GradientBoostingForecaster(n_estimators=30, min_child_samples=20),
    ],
    ids=["elastic_net", "random_forest", "gradient_boosting"],
)
def test_the_only_informative_feature_is_the_most_important(model: object) -> None:
    train, valid = _halves(*synthetic())
    fitted = model.fit(*train)  # type: ignore[attr-defined]

    importance = permutation_importance(fitted, *valid, n_repeats=3, random_state=1)

    ranking = importance.to_frame()
    assert ranking.index[0] == "signal"
    assert importance["signal"] > 0.5
    assert abs(importance["noise_a"]) < 0.05
    assert abs(importance["noise_b"]) < 0.05
    assert importance.baseline > 0.8


def test_a_feature_the_model_ignores_has_zero_importance() -> None:
    train, valid = _halves(*synthetic())
    model = MomentumBaseline(feature="noise_a").fit(*train)

    importance = permutation_importance(model, *valid, n_repeats=2)

    assert importance["signal"] == 0.0
    assert importance["noise_b"] == 0.0
    assert importance["noise_a"] == pytest.approx(importance.baseline, abs=0.1)


def test_permutation_importance_repeats_for_a_seed() -> None:
    train, valid = _halves(*synthetic())
    model = ElasticNetForecaster().fit(*train)

    first = permutation_importance(model, *valid, n_repeats=2, random_state=4)
    second = permutation_importance(model, *valid, n_repeats=2, random_state=4)

    assert first == second


def test_elastic_net_contributions_are_exact_and_sum_to_score_minus_intercept(
    val_xy: XY,
) -> None:
    x, y = val_xy
    model = ElasticNetForecaster(zscore_by_date=True).fit(x, y)
    day = x.dates[-30]

    explanation = top_contributions(model, x, day, "SPY", k=len(x.names))

    assert explanation.method == "linear"
    assert explanation.intercept == model.intercept_
    total = sum(c.contribution for c in explanation.contributions)
    assert total == pytest.approx(explanation.score - model.intercept_, abs=1e-12)
    assert explanation.score == pytest.approx(model.predict(x).scores.loc[(day, "SPY")])
    sizes = [abs(c.contribution) for c in explanation.contributions]
    assert sizes == sorted(sizes, reverse=True)
    assert (
        explanation.contributions[0].value
        == x.frame.loc[(day, "SPY"), explanation.contributions[0].feature]
    )


def test_occlusion_moves_only_the_features_a_model_reads(val_xy: XY) -> None:
    x, y = val_xy
    model = MomentumBaseline().fit(x, y)
    day = x.dates[-30]

    explanation = top_contributions(model, x, day, "TLT", k=3)

    assert explanation.method == "occlusion"
    assert explanation.intercept is None
    assert len(explanation.contributions) == 3
    top, *rest = explanation.contributions
    median = x.at(day)["mom_252_21"].median()
    assert top.feature == "mom_252_21"
    assert top.contribution == pytest.approx(explanation.score - median)
    assert all(c.contribution == 0.0 for c in rest)


@pytest.mark.parametrize(
    "model",
    [
        RandomForestForecaster(n_estimators=10),
        LstmForecaster(epochs=1, hidden_size=4, mc_samples=2),
    ],
    ids=["random_forest", "lstm"],
)
def test_trees_and_the_lstm_are_explained_by_occlusion(model: object, val_xy: XY) -> None:
    x, y = val_xy
    fitted = model.fit(x, y)  # type: ignore[attr-defined]

    explanation = top_contributions(fitted, x, x.dates[-1], "EEM", k=4)

    assert explanation.method == "occlusion"
    assert len(explanation.contributions) == 4
    assert np.isfinite([c.contribution for c in explanation.contributions]).all()
    assert any(c.contribution != 0.0 for c in explanation.contributions)


def test_contributions_refuse_an_unknown_date_or_ticker(val_xy: XY) -> None:
    x, y = val_xy
    model = MomentumBaseline().fit(x, y)

    with pytest.raises(NotFoundError, match="date 2009-06-01 has no rows in X"):
        top_contributions(model, x, "2009-06-01", "SPY")
    with pytest.raises(NotFoundError, match="ticker 'XYZ' has no row in X"):
        top_contributions(model, x, x.dates[-1], "XYZ")
