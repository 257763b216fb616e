"""Permutation importance on a validation window: how much the IC drops without a feature.

For each feature, its values are shuffled among the tickers of each date (so the feature keeps
its per-date distribution but loses its link to the ticker and label), the fitted forecaster
predicts again, and the metric (mean per-date IC by default) is recomputed. The importance is
the baseline metric minus the shuffled one, averaged over ``n_repeats`` shuffles drawn from
``random_state``: about 0 for a feature the model ignores, large for one it relies on.
Shuffles permute rows of the frame handed to ``predict``, so a sequence model sees the feature
shuffled on every date of its windows. (Breiman 2001; Fisher, Rudin & Dominici 2019.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast import Forecaster, ForecastScores
from microfolio.signals.forecast._checks import check_count, check_features, check_labels
from microfolio.signals.validation.metrics import mean_ic

__all__ = ["FeatureImportance", "permutation_importance"]

Metric = Callable[[ForecastScores, pd.Series], float]


@dataclass(frozen=True, slots=True)
class FeatureImportance:
    """The baseline metric and, per feature, the mean and standard deviation of its drop."""

    baseline: float
    features: tuple[str, ...]
    importances: tuple[float, ...]
    stds: tuple[float, ...]

    def to_frame(self) -> pd.DataFrame:
        """``importance`` and ``std`` per feature, most important first."""
        frame = pd.DataFrame(
            {"importance": self.importances, "std": self.stds},
            index=pd.Index(self.features, name="feature"),
        )
        return frame.sort_values("importance", ascending=False, kind="stable")

    def __getitem__(self, feature: str) -> float:
        return self.importances[self.features.index(feature)]


def permutation_importance(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    *,
    metric: Metric = mean_ic,
    n_repeats: int = 5,
    random_state: int = 0,
) -> FeatureImportance:
    """Per-feature drop of ``metric`` when the feature is shuffled within dates (see module).

    ``forecaster`` must be fitted; ``X`` and ``y`` (same rows) are the validation window.
    """
    repeats = check_count("n_repeats", n_repeats, 1)
    seed = check_count("random_state", random_state, 0)
    frame = check_features(X)
    index = frame.index
    assert isinstance(index, pd.MultiIndex)
    realised = pd.Series(check_labels(y, index), index=index)
    baseline = float(metric(forecaster.predict(X), realised))
    rng = np.random.default_rng(seed)
    days = index.get_level_values(INDEX_NAMES[0]).to_numpy()
    values = frame.to_numpy(dtype=np.float64)
    means, stds = [], []
    for column in range(frame.shape[1]):
        drops = []
        for _ in range(repeats):
            # rows are sorted by date: sorting by (date, random key) permutes within each date
            within = np.lexsort((rng.random(len(days)), days))
            shuffled = values.copy()
            shuffled[:, column] = values[within, column]
            trial = FeatureFrame(pd.DataFrame(shuffled, index=index, columns=frame.columns), X.spec)
            drops.append(baseline - float(metric(forecaster.predict(trial), realised)))
        means.append(float(np.mean(drops)))
        stds.append(float(np.std(drops, ddof=1)) if repeats > 1 else 0.0)
    return FeatureImportance(baseline, tuple(map(str, frame.columns)), tuple(means), tuple(stds))
