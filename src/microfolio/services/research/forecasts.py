"""One return model through the walk-forward: out-of-sample scores on every test session.

:func:`run_model` is a self-contained job (plain pandas in, plain pandas out, so it can run in
another process): it optionally chooses the model's ``zscore_by_date`` by purged k-fold on the
first training window only (:func:`~microfolio.signals.validation.choose_params`: every fold's
training dates lie in that window, purged and embargoed by ``horizon`` sessions around the
fold), then refits a clone on every walk-forward split's training dates (expanding, the last
``horizon`` dates purged) and scores the split's test dates.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.models import LEARNED, forecaster
from microfolio.signals.validation import PurgedKFold, Split, choose_params, walk_forward_predict

__all__ = ["ModelRun", "run_model"]

#: folds of the purged k-fold that chooses ``zscore_by_date`` on the first training window
TUNING_FOLDS = 5


@dataclass(frozen=True, slots=True)
class ModelRun:
    """What one model's walk-forward gave: its out-of-sample scores and how it was set up.

    ``tuning`` holds, per candidate ``zscore_by_date``, the mean cross-validated IC on the first
    training window (empty when nothing was tuned); ``params`` the values used.
    """

    name: str
    scores: pd.Series
    params: dict[str, Any]
    tuning: tuple[tuple[bool, float], ...]
    splits: int
    fits: tuple[tuple[str, str, int], ...]  #: per split: train end, test start, rows fitted
    seconds: float


def run_model(
    name: str,
    config: ResearchConfig,
    features: pd.DataFrame,
    spec: str,
    labels: pd.Series,
    splits: Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
) -> ModelRun:
    """Tune (if asked and learned), then walk forward; ``labels`` are the training target."""
    began = time.perf_counter()
    x = FeatureFrame(features, spec)
    zscore = True
    tuning: tuple[tuple[bool, float], ...] = ()
    if config.tune and name in LEARNED:
        zscore, tuning = _choose_zscore(name, config, x, labels, splits[0][0])
    model = forecaster(name, config.horizon, config.seed, zscore, config.fast)
    result = walk_forward_predict(model, x, labels, [Split(tr, te) for tr, te in splits])
    params = {"zscore_by_date": zscore} if name in LEARNED else {}
    fits = tuple(
        (fit.train_end.date().isoformat(), fit.test_start.date().isoformat(), fit.n_train)
        for fit in result.splits
    )
    return ModelRun(
        name=name,
        scores=result.scores,
        params=params,
        tuning=tuning,
        splits=len(result.splits),
        fits=fits,
        seconds=time.perf_counter() - began,
    )


def _choose_zscore(
    name: str,
    config: ResearchConfig,
    x: FeatureFrame,
    labels: pd.Series,
    first_train: pd.DatetimeIndex,
) -> tuple[bool, tuple[tuple[bool, float], ...]]:
    """``zscore_by_date`` by purged k-fold IC on the complete rows of the first training window
    (True first in the grid: it wins ties)."""
    frame = x.frame
    rows = frame.index.get_level_values(INDEX_NAMES[0]).isin(first_train)
    window = FeatureFrame(frame[rows], x.spec).dropna()
    target = labels.reindex(window.frame.index)

    def build(zscore_by_date: bool) -> Any:
        return forecaster(name, config.horizon, config.seed, zscore_by_date, config.fast)

    cv = PurgedKFold(n_splits=TUNING_FOLDS, horizon=config.horizon, embargo=config.horizon)
    search = choose_params(build, {"zscore_by_date": [True, False]}, window, target, cv)
    scores = tuple((bool(r.params["zscore_by_date"]), float(r.mean_ic)) for r in search.results)
    return bool(search.best_params["zscore_by_date"]), scores
