"""A random forest forecaster: scikit-learn's RandomForestRegressor on the raw features.

Trees need no scaling; ``zscore_by_date`` z-scores the features within each date's
cross-section first (see :mod:`microfolio.signals.forecast.zscore`). The defaults keep a refit
on the full bundled universe (about 120,000 rows) to a few seconds on one thread: a hundred
trees of depth at most 6 with leaves of at least 50 rows (returns are noisy: small leaves
memorise noise), each grown on a bootstrap of 10 % of the rows (neighbouring dates' labels
overlap, so they are near duplicates) and a third of the features per split. A fixed
``random_state`` makes every fit repeat exactly.

Confidence (per row): ``u`` is the standard deviation of the row's prediction across the trees,
a measure of how much the trees disagree about it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from microfolio.signals.forecast._checks import check_bool, check_count, check_share
from microfolio.signals.forecast.base import BaseForecaster
from microfolio.signals.forecast.zscore import model_inputs

__all__ = ["RandomForestForecaster"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


class RandomForestForecaster(BaseForecaster):
    """Random forest regression of the label on the features (see the module).

    ``max_features`` and ``max_samples`` are fractions in (0, 1]. Learned state: ``model_``
    (the fitted forest) plus the base's attributes.
    """

    model_id: ClassVar[str] = "random_forest"

    model_: RandomForestRegressor

    def __init__(
        self,
        n_estimators: int = 100,
        max_depth: int | None = 6,
        min_samples_leaf: int = 50,
        max_features: float = 0.33,
        max_samples: float = 0.1,
        zscore_by_date: bool = False,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_samples = max_samples
        self.zscore_by_date = zscore_by_date
        self.random_state = random_state

    def _check_params(self) -> None:
        check_count("n_estimators", self.n_estimators, 1)
        if self.max_depth is not None:
            check_count("max_depth", self.max_depth, 1)
        check_count("min_samples_leaf", self.min_samples_leaf, 1)
        check_share("max_features", self.max_features)
        check_share("max_samples", self.max_samples)
        check_bool("zscore_by_date", self.zscore_by_date)
        check_count("random_state", self.random_state, 0)

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        x = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)[train]
        model = RandomForestRegressor(
            n_estimators=int(self.n_estimators),
            max_depth=None if self.max_depth is None else int(self.max_depth),
            min_samples_leaf=int(self.min_samples_leaf),
            max_features=float(self.max_features),
            max_samples=float(self.max_samples),
            bootstrap=True,
            n_jobs=1,
            random_state=int(self.random_state),
        )
        self.model_ = model.fit(x, labels[train])

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        x = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)[usable]
        per_tree = np.stack([tree.predict(x) for tree in self.model_.estimators_])
        scores: Floats = per_tree.mean(axis=0)
        spread: Floats = per_tree.std(axis=0)
        return scores, spread
