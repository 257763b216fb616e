"""A walk-forward whose refits the drift monitors decide: :func:`walk_forward_triggered`.

The splits are the scheduled walk-forward's (expanding training window, last ``horizon`` dates
purged, test block of ``refit_every`` sessions); each split's first test date ``t_k`` is a
**check**. The first check always fits. At every later check a
:class:`~microfolio.signals.monitor.RetrainTrigger` decides, from what is known at ``t_k``
only, whether to refit a clone of the forecaster on the split's training dates or to keep the
model in use; either way the split's test dates are scored by the model in use after the check.
The trigger reads:

* **feature drift**: a :class:`~microfolio.signals.monitor.FeatureDriftMonitor` fitted on the
  features of the last ``reference_dates`` training dates of the model in use, checked on the
  features of the last ``error_window`` feature dates before ``t_k`` (a feature of date ``d``
  reads data up to ``d`` only, so those are known at ``t_k``). The features watched are
  ``watch`` when given: the inputs as the model reads them (z-scored per date for a model
  that z-scores), since a level that drifts while every cross-section keeps its shape changes
  nothing such a model sees;
* **error drift**: an :class:`~microfolio.signals.monitor.ErrorDriftMonitor` on the per-date
  rank IC (:func:`~microfolio.signals.monitor.rank_ic` of the scores against ``realised``).
  Its reference is the IC of the scores made *before* the model in use was fitted (by the
  previous models) whose labels are known at that model's fit date; the checked series is the
  IC of the model in use's own scores whose labels are known at ``t_k``. Either side with
  fewer than ``error_window`` dates: not checked (the trigger gets None and the check says so);
* **age**: sessions from the model's fit date (the first test date it served) to ``t_k``.

The label of date ``d`` is **known at** ``t`` when ``position(d) + horizon <= position(t)`` in
``sessions`` (it ends at the close of ``t`` at the latest; see
:func:`~microfolio.features.label_end`). The IC of a date depends only on that date's scores
and realised returns, so it is computed once, when the date is scored, and only read at checks
whose ``t`` knows the label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import clone

from microfolio.checks import check_count
from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast import Forecaster, ForecastScores
from microfolio.signals.monitor import (
    ErrorDriftMonitor,
    ErrorDriftReport,
    FeatureDriftMonitor,
    FeatureDriftReport,
    RetrainTrigger,
    rank_ic,
)
from microfolio.signals.validation._slicing import fit_on, on_dates, predict_on

__all__ = ["RetrainCheck", "TriggeredWalkForward", "walk_forward_triggered"]

Positions = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class RetrainCheck:
    """One scheduled check: whether the model was refitted at ``date`` and why.

    ``reasons`` are the trigger's reason kinds (``"feature_drift"``, ``"error_drift"``,
    ``"age"``), ``("initial",)`` for the first fit, empty when the model was kept. ``detail``
    is one line with the numbers. ``train_start`` / ``train_end`` / ``n_train`` describe the
    model in use *after* the check (``n_train`` -1 when the forecaster does not report it);
    ``drifted_share`` and ``error_p_value`` are NaN when that drift was not checked.
    """

    date: pd.Timestamp
    refit: bool
    reasons: tuple[str, ...]
    detail: str
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    n_train: int
    drifted_share: float
    error_p_value: float


@dataclass(frozen=True, slots=True, eq=False)
class TriggeredWalkForward:
    """Every out-of-sample score (on the ``(date, ticker)`` index) and one check per split."""

    scores: pd.Series
    checks: tuple[RetrainCheck, ...]

    @property
    def fits(self) -> tuple[RetrainCheck, ...]:
        """The checks that refitted the model (the first one always does)."""
        return tuple(check for check in self.checks if check.refit)


@dataclass(frozen=True, slots=True, eq=False)
class _InUse:
    """The model in use: fitted at ``fit_date`` on ``train``, with its feature monitor (None,
    and ``monitor_note`` saying why, when its reference could not be fitted)."""

    model: Forecaster
    fit_date: pd.Timestamp
    train: pd.DatetimeIndex
    n_train: int
    monitor: FeatureDriftMonitor | None
    monitor_note: str


@dataclass(frozen=True, slots=True)
class _Calendar:
    """Session positions, to count ages and tell which labels are known when."""

    sessions: pd.DatetimeIndex
    horizon: int

    def position(self, dates: pd.DatetimeIndex) -> Positions:
        positions: Positions = self.sessions.get_indexer(dates)
        if (positions < 0).any():
            missing = dates[int(np.argmax(positions < 0))]
            raise DataFormatError(f"date {missing.date()} is not one of the sessions")
        return positions

    def age(self, since: pd.Timestamp, at: pd.Timestamp) -> int:
        """Sessions from ``since`` to ``at``."""
        first, last = self.position(pd.DatetimeIndex([since, at]))
        return int(last - first)

    def known(self, per_date: pd.Series, at: pd.Timestamp) -> pd.Series:
        """The values of ``per_date`` (indexed by date) whose labels are known at ``at``."""
        now = int(self.position(pd.DatetimeIndex([at]))[0])
        dates = pd.DatetimeIndex(per_date.index)
        return per_date[self.position(dates) + self.horizon <= now]


def walk_forward_triggered(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    realised: pd.Series,
    splits: Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
    sessions: pd.DatetimeIndex,
    horizon: int,
    trigger: RetrainTrigger,
    *,
    reference_dates: int = 252,
    error_window: int = 63,
    feature_monitor: FeatureDriftMonitor | None = None,
    watch: FeatureFrame | None = None,
) -> TriggeredWalkForward:
    """Walk forward over ``splits``, refitting only when ``trigger`` says so (see module).

    ``y`` is the training label on the rows of ``X``; ``realised`` the forward raw return the
    IC is measured against; ``sessions`` every market session (ascending), in which ``horizon``
    and ages are counted; ``feature_monitor`` an unfitted template (default parameters when
    None), cloned for each model; ``watch`` the features the drift monitor reads (None: ``X``;
    same rows as ``X``).
    """
    _check_arguments(X, y, realised, sessions, trigger, feature_monitor)
    check_count("horizon", horizon, 1)
    check_count("reference_dates", reference_dates, 1)
    check_count("error_window", error_window, 2)
    template = FeatureDriftMonitor() if feature_monitor is None else feature_monitor
    watched = X if watch is None else _watched(watch, X)
    calendar = _Calendar(pd.DatetimeIndex(sessions), horizon)
    feature_dates = X.dates
    in_use: _InUse | None = None
    parts: list[ForecastScores] = []
    ics: list[pd.Series] = []
    checks: list[RetrainCheck] = []
    for train, test in _ordered(splits, calendar):
        date = test[0]
        if in_use is None:
            in_use = _fit(forecaster, X, y, train, date, template, reference_dates, watched)
            checks.append(_initial_check(in_use))
        else:
            window = feature_dates[feature_dates < date][-error_window:]
            features, feature_note = _feature_drift(in_use, watched, window)
            errors, error_note = _error_drift(ics, in_use.fit_date, date, calendar, error_window)
            age = calendar.age(in_use.fit_date, date)
            decision = trigger.decide(age, features, errors)
            if decision.retrain:
                in_use = _fit(forecaster, X, y, train, date, template, reference_dates, watched)
            outcome = "refit" if decision.retrain else "kept"
            checks.append(
                RetrainCheck(
                    date=date,
                    refit=decision.retrain,
                    reasons=tuple(str(kind) for kind in decision.kinds),
                    detail=f"{feature_note}; {error_note}; age {age} sessions: {outcome}",
                    train_start=in_use.train[0],
                    train_end=in_use.train[-1],
                    n_train=in_use.n_train,
                    drifted_share=math.nan if features is None else features.drifted_share,
                    error_p_value=math.nan if errors is None else errors.p_value,
                )
            )
        scored = predict_on(in_use.model, X, test)
        parts.append(scored)
        ics.append(rank_ic(scored.scores, realised.reindex(scored.scores.index)))
    if not parts:
        raise DataFormatError("splits is empty: there is nothing to fit")
    parts = [part for part in parts if len(part)] or parts[:1]
    return TriggeredWalkForward(scores=ForecastScores.concat(parts).scores, checks=tuple(checks))


def _fit(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    train: pd.DatetimeIndex,
    date: pd.Timestamp,
    template: FeatureDriftMonitor,
    reference_dates: int,
    watched: FeatureFrame,
) -> _InUse:
    """A clone of ``forecaster`` fitted on ``train``, in use from ``date``, with a clone of
    ``template`` fitted on the watched features of its last ``reference_dates`` training
    dates."""
    fitted = fit_on(clone(forecaster), X, y, train)
    monitor: FeatureDriftMonitor | None = None
    note = ""
    try:
        monitor = clone(template).fit(on_dates(watched, train[-reference_dates:]))
    except DataFormatError as error:
        note = f"feature drift not checked (reference: {error})"
    n_train = int(getattr(fitted, "n_train_", -1))
    return _InUse(fitted, date, train, n_train, monitor, note)


def _watched(watch: object, X: FeatureFrame) -> FeatureFrame:  # noqa: N803 (scikit-learn name)
    if not isinstance(watch, FeatureFrame):
        raise DataFormatError(f"watch must be a FeatureFrame or None, got {type(watch).__name__}")
    if not watch.frame.index.equals(X.frame.index):
        raise DataFormatError("watch must have the rows of X, in the same order")
    return watch


def _initial_check(in_use: _InUse) -> RetrainCheck:
    train = in_use.train
    return RetrainCheck(
        date=in_use.fit_date,
        refit=True,
        reasons=("initial",),
        detail=(
            f"initial fit on {len(train)} dates {train[0].date()}..{train[-1].date()} "
            f"({in_use.n_train} rows)"
        ),
        train_start=train[0],
        train_end=train[-1],
        n_train=in_use.n_train,
        drifted_share=math.nan,
        error_p_value=math.nan,
    )


def _feature_drift(
    in_use: _InUse,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    window: pd.DatetimeIndex,
) -> tuple[FeatureDriftReport | None, str]:
    """The features of ``window`` against the model's reference, and a note on it."""
    if in_use.monitor is None:
        return None, in_use.monitor_note
    try:
        report = in_use.monitor.check(on_dates(X, window))
    except DataFormatError as error:
        return None, f"feature drift not checked (window: {error})"
    return report, (
        f"{len(report.drifted)} of {len(report.features)} features drifted "
        f"({report.drifted_share:.0%}) over {report.window_start}..{report.window_end} "
        f"against {report.reference_start}..{report.reference_end}"
    )


def _error_drift(
    ics: list[pd.Series],
    fit_date: pd.Timestamp,
    date: pd.Timestamp,
    calendar: _Calendar,
    window: int,
) -> tuple[ErrorDriftReport | None, str]:
    """The model in use's IC known at ``date`` against its predecessors' IC known at its fit
    date (module doc), and a note on it."""
    ic = pd.concat(ics)
    reference = calendar.known(ic[ic.index < fit_date], fit_date)
    recent = calendar.known(ic[ic.index >= fit_date], date)
    if len(reference) < window or len(recent) < window:
        return None, (
            f"error drift not checked ({len(reference)} IC dates of earlier models known at "
            f"the fit, {len(recent)} of this model known now; {window} needed on each side)"
        )
    monitor = ErrorDriftMonitor(higher_is_better=True, window=window, min_reference=window)
    report = monitor.fit(reference).check(recent)
    return report, f"IC {report.describe()}"


def _ordered(
    splits: Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]], calendar: _Calendar
) -> Sequence[tuple[pd.DatetimeIndex, pd.DatetimeIndex]]:
    """``splits``, refused unless each is non-empty, trains before it tests, and tests
    sessions after the previous split's."""
    previous: pd.Timestamp | None = None
    for number, (train, test) in enumerate(splits):
        if len(train) == 0 or len(test) == 0:
            raise InvariantError(f"split {number} has an empty train or test set")
        calendar.position(pd.DatetimeIndex(test))
        if train.max() >= test.min():
            raise InvariantError(
                f"split {number} trains on {train.max().date()}, not before "
                f"its first test date {test.min().date()}"
            )
        if previous is not None and test.min() <= previous:
            raise InvariantError(
                f"split {number} tests {test.min().date()}, not after the previous split's "
                f"last test date {previous.date()}"
            )
        previous = test.max()
    return splits


def _check_arguments(
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    realised: pd.Series,
    sessions: pd.DatetimeIndex,
    trigger: RetrainTrigger,
    feature_monitor: FeatureDriftMonitor | None,
) -> None:
    if not isinstance(X, FeatureFrame):
        raise DataFormatError(f"X must be a FeatureFrame, got {type(X).__name__}")
    for name, series in (("y", y), ("realised", realised)):
        if not isinstance(series, pd.Series) or tuple(series.index.names) != INDEX_NAMES:
            raise DataFormatError(f"{name} must be a pandas Series on a (date, ticker) index")
    if not isinstance(sessions, pd.DatetimeIndex) or not (
        sessions.is_monotonic_increasing and sessions.is_unique
    ):
        raise DataFormatError("sessions must be a strictly increasing DatetimeIndex")
    if not isinstance(trigger, RetrainTrigger):
        raise InvariantError(f"trigger must be a RetrainTrigger, got {type(trigger).__name__}")
    if feature_monitor is not None and not isinstance(feature_monitor, FeatureDriftMonitor):
        raise InvariantError(
            f"feature_monitor must be a FeatureDriftMonitor or None, got "
            f"{type(feature_monitor).__name__}"
        )
