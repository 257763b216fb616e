"""Choosing hyper-parameters by cross-validated information coefficient.

:func:`choose_params` tries every combination of ``grid`` (a mapping from parameter name to
candidate values): for each, it fits ``forecaster_factory(**params)`` on every split's training
dates and scores the split's test dates; a combination's score is the mean over splits of the
mean per-date IC (splits with no IC are left out). The best mean wins; ties go to the earlier
combination (``grid`` order, last parameter varying fastest).

A ``holdout`` (the dates of a final test period) is never touched: its dates, the dates whose
label interval overlaps one of its labels (``cv.horizon``) and, for a :class:`PurgedKFold`,
its embargo after them are removed before the splits are made. Counting sessions across the
removed gap only purges more, never less.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import FeatureFrame
from microfolio.signals.forecast import Forecaster
from microfolio.signals.forecast._checks import check_features, check_labels
from microfolio.signals.validation._slicing import fit_on, predict_on
from microfolio.signals.validation.metrics import information_coefficient
from microfolio.signals.validation.purged_kfold import PurgedKFold
from microfolio.signals.validation.split import overlapping_positions
from microfolio.signals.validation.walk_forward import WalkForward

__all__ = ["ParamScore", "ParamSearch", "choose_params"]


@dataclass(frozen=True, slots=True)
class ParamScore:
    """One combination of parameters and its validation ICs (one per split)."""

    params: Mapping[str, Any]
    mean_ic: float
    fold_ics: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ParamSearch:
    """The best combination, its score and every combination tried (in grid order)."""

    best_params: Mapping[str, Any]
    best_score: float
    results: tuple[ParamScore, ...]

    def table(self) -> pd.DataFrame:
        """One row per combination: its parameters and mean IC."""
        return pd.DataFrame([{**r.params, "mean_ic": r.mean_ic} for r in self.results])


def choose_params(
    forecaster_factory: Callable[..., Forecaster],
    grid: Mapping[str, Sequence[Any]],
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    cv: PurgedKFold | WalkForward,
    *,
    holdout: pd.DatetimeIndex | None = None,
) -> ParamSearch:
    """The combination of ``grid`` with the best cross-validated mean IC (see the module)."""
    combos = _combinations(grid)
    frame = check_features(X)
    index = frame.index
    assert isinstance(index, pd.MultiIndex)
    check_labels(y, index)
    dates = _usable_dates(X.dates, holdout, cv)
    splits = list(cv.split(dates))
    results: list[ParamScore] = []
    for params in combos:
        ics: list[float] = []
        for train, test in splits:
            fitted = fit_on(forecaster_factory(**params), X, y, train)
            ic = information_coefficient(predict_on(fitted, X, test), y).mean
            if not math.isnan(ic):
                ics.append(ic)
        mean = float(np.mean(ics)) if ics else float("nan")
        results.append(ParamScore(MappingProxyType(dict(params)), mean, tuple(ics)))
    scores = np.array([r.mean_ic for r in results])
    if np.isnan(scores).all():
        raise DataFormatError("no split gave an information coefficient: labels are missing")
    best = results[int(np.nanargmax(scores))]
    return ParamSearch(best.params, best.mean_ic, tuple(results))


def _combinations(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not isinstance(grid, Mapping) or not grid:
        raise InvariantError(f"grid must map parameter names to candidate values, got {grid!r}")
    for name, values in grid.items():
        if not isinstance(name, str) or isinstance(values, str | bytes):
            raise InvariantError(f"grid must map names to sequences, got {name!r}: {values!r}")
        if len(values) == 0:
            raise InvariantError(f"grid gives no candidate values for {name!r}")
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def _usable_dates(
    dates: pd.DatetimeIndex, holdout: pd.DatetimeIndex | None, cv: PurgedKFold | WalkForward
) -> pd.DatetimeIndex:
    if holdout is None:
        return dates
    if not isinstance(holdout, pd.DatetimeIndex):
        raise DataFormatError(f"holdout must be a DatetimeIndex, got {type(holdout).__name__}")
    held = dates.isin(holdout)
    embargo = cv.embargo_sessions(len(dates)) if isinstance(cv, PurgedKFold) else 0
    blocked = overlapping_positions(np.asarray(held), cv.horizon, embargo)
    kept = dates[~blocked]
    if len(kept) == 0:
        raise DataFormatError("holdout leaves no dates to cross-validate on")
    return kept
