"""One return model through the walk-forward: out-of-sample scores on every test session.

:func:`run_model` is a self-contained job (plain pandas in, plain pandas out, so it can run in
another process): it optionally chooses the model's ``zscore_by_date`` by purged k-fold on the
first training window only (:func:`~microfolio.signals.validation.choose_params`: every fold's
training dates lie in that window, purged and embargoed by ``horizon`` sessions around the
fold), then walks forward over the splits (expanding, the last ``horizon`` dates purged) and
scores every split's test dates. ``config.retrain`` says when a clone is refitted on a split's
training dates: ``"schedule"`` at every split; ``"trigger"`` at the first split and then only
when the drift monitors and the model's age make a
:class:`~microfolio.signals.monitor.RetrainTrigger` say so
(:func:`~microfolio.services.research.retrain.walk_forward_triggered`, which needs the
forward raw returns ``realised`` and the market ``sessions``). Either way :attr:`ModelRun.checks`
holds one :class:`~microfolio.services.research.retrain.RetrainCheck` per split.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from microfolio.errors import InvariantError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.models import LEARNED, forecaster
from microfolio.services.research.retrain import RetrainCheck, walk_forward_triggered
from microfolio.signals.forecast import BaseForecaster
from microfolio.signals.forecast.zscore import model_inputs
from microfolio.signals.monitor import RetrainTrigger
from microfolio.signals.validation import PurgedKFold, Split, choose_params, walk_forward_predict

__all__ = ["ModelRun", "run_model"]

#: folds of the purged k-fold that chooses ``zscore_by_date`` on the first training window
TUNING_FOLDS = 5


@dataclass(frozen=True, slots=True)
class ModelRun:
    """What one model's walk-forward gave: its out-of-sample scores and how it was set up.

    ``tuning`` holds, per candidate ``zscore_by_date``, the mean cross-validated IC on the first
    training window (empty when nothing was tuned); ``params`` the values used. ``checks``
    has one entry per split (with ``retrain="schedule"`` each a refit, reasons
    ``("schedule",)``); ``fits`` and ``splits`` count the refits actually made.
    """

    name: str
    scores: pd.Series
    params: dict[str, Any]
    tuning: tuple[tuple[bool, float], ...]
    splits: int  #: fits made
    fits: tuple[tuple[str, str, int], ...]  #: per fit: train end, first test date, rows fitted
    checks: tuple[RetrainCheck, ...]
    seconds: float


def run_model(
    name: str,
    config: ResearchConfig,
    features: pd.DataFrame,
    spec: str,
    labels: pd.Series,
    splits: Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
    realised: pd.Series | None = None,
    sessions: pd.DatetimeIndex | None = None,
) -> ModelRun:
    """Tune (if asked and learned), then walk forward; ``labels`` are the training target.

    ``realised`` (forward raw returns) and ``sessions`` are needed, and read, only when
    ``config.retrain`` is ``"trigger"``.
    """
    began = time.perf_counter()
    x = FeatureFrame(features, spec)
    zscore = True
    tuning: tuple[tuple[bool, float], ...] = ()
    if config.tune and name in LEARNED:
        zscore, tuning = _choose_zscore(name, config, x, labels, splits[0][0])
    model = forecaster(name, config.horizon, config.seed, zscore, config.fast)
    if config.retrain == "trigger":
        if realised is None or sessions is None:
            missing = [k for k, v in (("realised", realised), ("sessions", sessions)) if v is None]
            raise InvariantError(
                f"retrain='trigger' needs {' and '.join(missing)} passed to run_model "
                f"(model {name!r})"
            )
        trigger = RetrainTrigger(max_age_sessions=config.max_model_age)
        # watch the inputs as the model reads them: z-scored per date when it z-scores
        watch = (
            FeatureFrame(model_inputs(x.frame, True), x.spec) if zscore_used(name, zscore) else None
        )
        walk = walk_forward_triggered(
            model, x, labels, realised, splits, sessions, config.horizon, trigger, watch=watch
        )
        scores, checks = walk.scores, walk.checks
    else:
        scores, checks = _scheduled(model, x, labels, splits)
    params = {"zscore_by_date": zscore} if name in LEARNED else {}
    fits = tuple(
        (check.train_end.date().isoformat(), check.date.date().isoformat(), check.n_train)
        for check in checks
        if check.refit
    )
    return ModelRun(
        name=name,
        scores=scores,
        params=params,
        tuning=tuning,
        splits=len(fits),
        fits=fits,
        checks=checks,
        seconds=time.perf_counter() - began,
    )


def zscore_used(name: str, zscore: bool) -> bool:
    """Whether model ``name`` reads its features z-scored per date."""
    return zscore and name in LEARNED


def _scheduled(
    model: BaseForecaster,
    x: FeatureFrame,
    labels: pd.Series,
    splits: Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
) -> tuple[pd.Series, tuple[RetrainCheck, ...]]:
    """A refit at every split: the scores, and one check per split saying so."""
    result = walk_forward_predict(model, x, labels, [Split(tr, te) for tr, te in splits])
    checks = tuple(
        RetrainCheck(
            date=fit.test_start,
            refit=True,
            reasons=("schedule",),
            detail="scheduled refit",
            train_start=fit.train_start,
            train_end=fit.train_end,
            n_train=fit.n_train,
            drifted_share=math.nan,
            error_p_value=math.nan,
        )
        for fit in result.splits
    )
    return result.scores, checks


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
