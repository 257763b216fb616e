"""Champion and challengers over the return model families, recorded in a model registry.

:func:`run_lifecycle` replays, check date by check date (the rebalance dates), how a desk would
run the research's model families: every refit of every family enters the registry as a
challenger, and one family's latest model is the champion of the registry ``kind`` (one
champion among all families). :func:`champion_scores` is the score series the champion strategy
would have used. Choices, all of them point in time:

* **What is known at t.** The label of date ``d`` (its forward return over ``horizon``
  sessions) is known at check date ``t`` iff ``sessions.get_loc(d) + horizon <=
  sessions.get_loc(t)``. The per-date rank IC of ``d`` (:func:`~microfolio.signals.monitor.
  rank_ic`) reads only the scores and labels of ``d``, so it is computed once per family and, at
  ``t``, only the dates whose labels are known at ``t`` are kept: the same numbers as computing
  them at ``t`` from the known labels alone.
* **The validation window at t** is the last ``window`` sessions with known labels, the same
  sessions for every family (``champion_challenger`` refuses different windows). A family's
  window scores are ``ValidationScores(start, end, {"dates": n, "ic": mean, "ic_t_stat":
  mean / (std / sqrt(n))})`` over its ``n`` IC dates in the window (sample std, ``ddof=1``).
  ``ValidationScores`` takes finite numbers only, so ``"ic"`` is left out when ``n == 0`` and
  ``"ic_t_stat"`` when ``n < 2`` or the ICs have no spread (std within 1e-12 of 0, as with a
  perfect forecast); ``"dates"`` is always there.
* **Candidates** are the families with at least ``min_dates`` IC dates in the window and a
  latest registered model that is not retired: a family whose champion was replaced competes
  again with its next fit, not with the model just replaced. The best is the highest window IC; ties go to the family first
  in ``runs``.
* **At each check t**, in order: (1) every fit created on or before ``t`` and not yet
  registered is registered as a challenger, in creation order (ties in ``runs`` order), the
  clock set to its creation date; (2) the window scores are measured; (3) with the clock set to
  ``t``: without a champion, the latest model of the best candidate is promoted (none before a
  family has ``min_dates`` known IC dates). With one, the best candidate of another family is
  compared with the champion's family by ``champion_challenger(..., "ic", min_improvement)``
  and its latest model promoted if it wins (the registry retires the old champion); a champion
  family short of ``min_dates`` IC dates is not compared but replaced by the best candidate, if
  any. When no other family is promoted and the champion's family has a newer model than the
  champion, that refit is promoted ("refit of the champion family", with its window IC); (4)
  every challenger that is not the latest model of its family is retired, "superseded by <id>".
* **Records.** Fit ``(train_end, test_start, rows)`` of family ``f`` is model ``f@test_start``:
  ``train_start = first_train``, created on ``test_start``, params the family's params plus
  ``"family"``, ``"rows"`` and ``"window_at_creation"`` (the family's trailing window scores at
  ``test_start``: ISO ``start`` and ``end`` and the scores above, or ``{"dates": 0}`` before any
  label is known). That trailing window cannot be the record's ``validation``: it ends about
  where the fit's training data ends, and a :class:`~microfolio.signals.monitor.ModelRecord`
  requires its validation to start after ``train_end`` (scores out of sample). At its creation
  no out-of-sample date of the new fit is known, so ``validation`` is the empty window
  ``ValidationScores(test_start, test_start, {"dates": 0})``.
* **The registry** must hold nothing of ``kind`` yet: the lifecycle starts from an empty kind
  (model ids would clash otherwise).
* **Results.** :class:`Lifecycle` keeps one :class:`LifecycleStep` per check.
  ``champion_by_date`` is the champion family after each check, ``None`` before the first
  champion. ``switches`` counts the checks where the champion's family changed from one family
  to another (appointing the first champion is not a switch). ``champion_scores`` uses, on
  each scored date ``d``, the scores of the family champion after the last check on or before
  ``d`` (no scores before the first champion).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from microfolio.checks import check_count, check_non_negative, check_text
from microfolio.clock import FixedClock
from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.signals.monitor import (
    ModelRecord,
    ModelRegistry,
    ModelStatus,
    ValidationScores,
    champion_challenger,
    rank_ic,
)

if TYPE_CHECKING:
    from microfolio.services.research.forecasts import ModelRun

__all__ = [
    "STEP_COLUMNS",
    "FamilyRun",
    "Lifecycle",
    "LifecycleStep",
    "champion_scores",
    "run_lifecycle",
]

#: the metric champions are chosen on
METRIC = "ic"
#: the columns of :meth:`Lifecycle.table` (indexed by check date)
STEP_COLUMNS: tuple[str, ...] = (
    "incumbent",
    "incumbent_ic",
    "challenger",
    "challenger_ic",
    "promoted",
    "champion",
    "champion_model",
    "switched",
    "window_start",
    "window_end",
    "reason",
)
_RESERVED_PARAMS = frozenset({"family", "rows", "window_at_creation"})
_NO_SPREAD = 1e-12


@dataclass(frozen=True, slots=True, eq=False)
class FamilyRun:
    """One model family's walk-forward: its out-of-sample ``scores`` (a Series on a ``(date,
    ticker)`` MultiIndex), its ``params`` (JSON) and per fit ``(train_end, test_start, rows)``
    (ISO dates). Compared by identity (it holds a Series)."""

    name: str
    scores: pd.Series
    params: Mapping[str, Any]
    fits: tuple[tuple[str, str, int], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvariantError(f"family name must be a non-empty string, got {self.name!r}")
        _check_long(f"scores of {self.name}", self.scores)
        if not isinstance(self.params, Mapping):
            raise InvariantError(
                f"params of {self.name} must be a mapping, got {type(self.params).__name__}"
            )
        reserved = sorted(_RESERVED_PARAMS & set(self.params))
        if reserved:
            raise InvariantError(f"params of {self.name} use reserved keys {reserved}")
        for fit in self.fits:
            _fit_of(self.name, fit)

    @classmethod
    def from_model_run(cls, run: ModelRun) -> FamilyRun:
        """The family of one model's walk-forward."""
        return cls(name=run.name, scores=run.scores, params=dict(run.params), fits=run.fits)


@dataclass(frozen=True, slots=True)
class LifecycleStep:
    """What happened at one check date.

    ``incumbent`` is the champion family before the check, ``challenger`` the family it was
    compared with (for the first champion: the family appointed), each with its window IC (NaN
    when none); ``promoted`` the model promoted at this check (a challenger, the first champion
    or a refit), ``champion`` / ``champion_model`` the champion after it; ``switched`` whether
    the champion's family changed from one family to another. ``validation`` holds every
    family's window scores (empty without a window).
    """

    date: dt.date
    incumbent: str | None
    incumbent_ic: float
    challenger: str | None
    challenger_ic: float
    promoted: str | None
    champion: str | None
    champion_model: str | None
    switched: bool
    window_start: dt.date | None
    window_end: dt.date | None
    reason: str
    validation: Mapping[str, ValidationScores] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "validation", MappingProxyType(dict(self.validation)))


@dataclass(frozen=True, slots=True, eq=False)
class Lifecycle:
    """The champion/challenger replay of one registry kind: one step per check date."""

    kind: str
    decisions: tuple[LifecycleStep, ...]

    @property
    def champion_by_date(self) -> pd.Series:
        """Check date -> champion family after the check (None before the first champion)."""
        dates = pd.DatetimeIndex([pd.Timestamp(s.date) for s in self.decisions], name="date")
        return pd.Series(
            [s.champion for s in self.decisions], index=dates, dtype=object, name="champion"
        )

    @property
    def switches(self) -> int:
        """How many times the champion's family changed (the first appointment excluded)."""
        return sum(step.switched for step in self.decisions)

    def table(self) -> pd.DataFrame:
        """One row per check date, columns :data:`STEP_COLUMNS`."""
        rows = [[getattr(step, c) for c in STEP_COLUMNS] for step in self.decisions]
        dates = pd.DatetimeIndex([pd.Timestamp(s.date) for s in self.decisions], name="date")
        return pd.DataFrame(rows, index=dates, columns=list(STEP_COLUMNS))


def run_lifecycle(
    runs: Mapping[str, FamilyRun],
    realised: pd.Series,
    checks: pd.DatetimeIndex,
    sessions: pd.DatetimeIndex,
    horizon: int,
    *,
    kind: str,
    data_version: str,
    first_train: dt.date,
    registry: ModelRegistry,
    clock: FixedClock | None = None,
    window: int = 252,
    min_dates: int = 63,
    min_improvement: float = 0.01,
) -> Lifecycle:
    """Replay the champion/challenger lifecycle over ``checks`` (module doc)."""
    _check_runs(runs)
    _check_long("realised", realised)
    _check_dates("sessions", sessions)
    _check_dates("checks", checks)
    check_text("kind", kind)
    check_text("data_version", data_version)
    settings = _Settings(
        horizon=check_count("horizon", horizon, 1),
        window=check_count("window", window, 1),
        min_dates=check_count("min_dates", min_dates, 1),
        min_improvement=check_non_negative("min_improvement", min_improvement),
    )
    if settings.min_dates > settings.window:
        raise InvariantError(f"min_dates {min_dates} must not exceed window {window}")
    if registry.history(kind):
        raise InvariantError(f"the registry already holds models of kind {kind!r}; start empty")
    walk = _Walk(runs, realised, sessions, settings, kind, data_version, first_train, registry)
    steps = tuple(walk.check(t, clock) for t in checks)
    return Lifecycle(kind=kind, decisions=steps)


def champion_scores(lifecycle: Lifecycle, runs: Mapping[str, FamilyRun]) -> pd.Series:
    """On each scored date ``d``, the scores of the family champion after the last check on
    or before ``d``; no scores before the first champion. Named ``"score"``."""
    _check_runs(runs)
    by_date = lifecycle.champion_by_date
    missing = sorted({str(f) for f in by_date.dropna()} - set(runs))
    if missing:
        raise NotFoundError(f"champion families {missing} are not among the runs")
    pieces: list[pd.Series] = []
    for name, run in runs.items():
        dates = pd.DatetimeIndex(run.scores.index.get_level_values(INDEX_NAMES[0]))
        pieces.append(run.scores[_champion_on(by_date, dates) == name])
    chosen: pd.Series = pd.concat(pieces).sort_index()
    chosen.name = "score"
    return chosen


@dataclass(frozen=True, slots=True)
class _Settings:
    horizon: int
    window: int
    min_dates: int
    min_improvement: float


@dataclass(frozen=True, slots=True)
class _Fit:
    """One fit of one family, as the registry will know it."""

    family: str
    train_end: dt.date
    created: dt.date
    rows: int

    @property
    def model_id(self) -> str:
        return f"{self.family}@{self.created.isoformat()}"


@dataclass(frozen=True, slots=True, eq=False)
class _Window:
    """The sessions whose labels are known at a check, oldest first (never empty)."""

    sessions: pd.DatetimeIndex

    @property
    def start(self) -> dt.date:
        return pd.Timestamp(self.sessions[0]).date()

    @property
    def end(self) -> dt.date:
        return pd.Timestamp(self.sessions[-1]).date()

    @property
    def span(self) -> str:
        return f"{self.start}..{self.end}"

    def scores(self, ic: pd.Series) -> ValidationScores:
        """The window scores of one family's per-date ICs."""
        values = ic[ic.index.isin(self.sessions)].to_numpy(dtype=np.float64)
        return ValidationScores(self.start, self.end, _summary(values))


@dataclass(frozen=True, slots=True)
class _Decision:
    """What a check decided, before the step is assembled."""

    challenger: str | None
    challenger_ic: float
    promoted: str | None
    reason: str


class _Walk:
    """The lifecycle's state between checks: fits not yet registered, each family's latest
    record, and the families' per-date ICs."""

    def __init__(
        self,
        runs: Mapping[str, FamilyRun],
        realised: pd.Series,
        sessions: pd.DatetimeIndex,
        settings: _Settings,
        kind: str,
        data_version: str,
        first_train: dt.date,
        registry: ModelRegistry,
    ) -> None:
        self._runs = runs
        self._sessions = sessions
        self._settings = settings
        self._kind = kind
        self._data_version = data_version
        self._first_train = first_train
        self._registry = registry
        self._ic = {name: rank_ic(run.scores, realised) for name, run in runs.items()}
        self._pending = deque(_schedule(runs))
        self._latest: dict[str, ModelRecord] = {}

    def check(self, t: pd.Timestamp, clock: FixedClock | None) -> LifecycleStep:
        """Steps 1 to 4 of the module doc at check date ``t``."""
        day = pd.Timestamp(t).date()
        position = _position(self._sessions, day, "check date")
        self._register_due(day, clock)
        if clock is not None:
            clock.set(day)
        window = self._window_at(position)
        validation = {} if window is None else {n: window.scores(ic) for n, ic in self._ic.items()}
        incumbent = self._registry.champion(self._kind)
        if incumbent is None:
            decision = self._appoint(day, window, validation)
        else:
            decision = self._challenge(incumbent, window, validation)
        self._retire_superseded()
        return self._step(day, incumbent, decision, window, validation)

    def _register_due(self, day: dt.date, clock: FixedClock | None) -> None:
        while self._pending and self._pending[0].created <= day:
            fit = self._pending.popleft()
            if clock is not None:
                clock.set(fit.created)
            record = self._record(fit)
            self._registry.register(record)
            self._latest[fit.family] = record

    def _record(self, fit: _Fit) -> ModelRecord:
        position = _position(self._sessions, fit.created, f"test_start of {fit.model_id}")
        window = self._window_at(position)
        at_creation: dict[str, Any] = {"dates": 0}
        if window is not None:
            scores = window.scores(self._ic[fit.family])
            at_creation = {"start": window.start.isoformat(), "end": window.end.isoformat()}
            at_creation |= dict(scores.scores) | {"dates": _dates(scores)}
        params = {
            **self._runs[fit.family].params,
            "family": fit.family,
            "rows": fit.rows,
            "window_at_creation": at_creation,
        }
        return ModelRecord(
            model_id=fit.model_id,
            kind=self._kind,
            train_start=self._first_train,
            train_end=fit.train_end,
            data_version=self._data_version,
            params=params,
            validation=ValidationScores(fit.created, fit.created, {"dates": 0}),
            created=fit.created,
        )

    def _window_at(self, position: int) -> _Window | None:
        last = position - self._settings.horizon
        if last < 0:
            return None
        first = max(0, last - self._settings.window + 1)
        return _Window(self._sessions[first : last + 1])

    def _candidates(self, validation: Mapping[str, ValidationScores]) -> dict[str, float]:
        """Family -> window IC of the families that may be champion: enough IC dates, and a
        latest model that was not retired (a family whose champion was replaced competes
        again with its next fit)."""
        return {
            name: scores.scores[METRIC]
            for name, scores in validation.items()
            if _dates(scores) >= self._settings.min_dates
            and name in self._latest
            and self._registry.get(self._latest[name].model_id).status != ModelStatus.RETIRED
        }

    def _appoint(
        self, day: dt.date, window: _Window | None, validation: Mapping[str, ValidationScores]
    ) -> _Decision:
        """No champion yet: the best candidate's latest model, if any candidate."""
        if window is None:
            return _Decision(None, math.nan, None, f"no label known at {day}: no window yet")
        candidates = self._candidates(validation)
        best = _best(candidates)
        if best is None:
            reason = (
                f"no champion yet: no family has {self._settings.min_dates} ic dates "
                f"in {window.span}"
            )
            return _Decision(None, math.nan, None, reason)
        reason = (
            f"first champion: {best} has the best window ic {candidates[best]:.6g} over "
            f"{window.span} ({_dates(validation[best])} ic dates, {len(candidates)} candidate "
            f"families)"
        )
        return _Decision(best, candidates[best], self._promote_latest(best, reason), reason)

    def _challenge(
        self,
        incumbent: ModelRecord,
        window: _Window | None,
        validation: Mapping[str, ValidationScores],
    ) -> _Decision:
        """The best other family against the champion's; else the champion family's refit."""
        family = _family(incumbent)
        candidates = self._candidates(validation)
        rivals = {name: ic for name, ic in candidates.items() if name != family}
        best = _best(rivals)
        if best is None or window is None:
            why = f"no challenger family has {self._settings.min_dates} ic dates"
            if window is not None:
                why += f" in {window.span}"
            return self._keep(incumbent, validation, None, math.nan, why)
        if family not in candidates:
            reason = (
                f"champion family {family} has {_dates(validation[family])} ic dates in "
                f"{window.span}, fewer than {self._settings.min_dates}: {best} takes over with "
                f"window ic {rivals[best]:.6g}"
            )
            return _Decision(best, rivals[best], self._promote_latest(best, reason), reason)
        decision = champion_challenger(
            validation[family], validation[best], METRIC, self._settings.min_improvement
        )
        if decision.promote:
            reason = f"{best} replaces {family}: {decision.reason}"
            return _Decision(best, rivals[best], self._promote_latest(best, reason), reason)
        return self._keep(incumbent, validation, best, rivals[best], decision.reason)

    def _keep(
        self,
        incumbent: ModelRecord,
        validation: Mapping[str, ValidationScores],
        challenger: str | None,
        challenger_ic: float,
        why: str,
    ) -> _Decision:
        """The champion's family stays: promote its refit if it has a newer model."""
        family = _family(incumbent)
        latest = self._latest[family]
        if latest.model_id == incumbent.model_id:
            return _Decision(challenger, challenger_ic, None, why)
        reason = f"refit of the champion family {family}"
        own = validation.get(family)
        if own is not None and METRIC in own.scores:
            reason += f": window ic {own.scores[METRIC]:.6g} over {own.start}..{own.end}"
        self._registry.promote(latest.model_id, reason)
        return _Decision(challenger, challenger_ic, latest.model_id, f"{why}; {reason}")

    def _promote_latest(self, family: str, reason: str) -> str:
        model_id = self._latest[family].model_id
        self._registry.promote(model_id, reason)
        return model_id

    def _retire_superseded(self) -> None:
        for record in self._registry.challengers(self._kind):
            latest = self._latest[_family(record)]
            if record.model_id != latest.model_id:
                self._registry.retire(record.model_id, f"superseded by {latest.model_id}")

    def _step(
        self,
        day: dt.date,
        incumbent: ModelRecord | None,
        decision: _Decision,
        window: _Window | None,
        validation: Mapping[str, ValidationScores],
    ) -> LifecycleStep:
        before = None if incumbent is None else _family(incumbent)
        champion = self._registry.champion(self._kind)
        after = None if champion is None else _family(champion)
        own = None if before is None else validation.get(before)
        return LifecycleStep(
            date=day,
            incumbent=before,
            incumbent_ic=math.nan if own is None else own.scores.get(METRIC, math.nan),
            challenger=decision.challenger,
            challenger_ic=decision.challenger_ic,
            promoted=decision.promoted,
            champion=after,
            champion_model=None if champion is None else champion.model_id,
            switched=before is not None and after != before,
            window_start=None if window is None else window.start,
            window_end=None if window is None else window.end,
            reason=decision.reason,
            validation=validation,
        )


def _schedule(runs: Mapping[str, FamilyRun]) -> list[_Fit]:
    """Every fit of every family in creation order (ties: ``runs`` order, then fit order)."""
    fits = [_fit_of(name, fit) for name, run in runs.items() for fit in run.fits]
    return sorted(fits, key=lambda fit: fit.created)


def _fit_of(family: str, fit: object) -> _Fit:
    if (
        not isinstance(fit, tuple)
        or len(fit) != 3
        or not isinstance(fit[0], str)
        or not isinstance(fit[1], str)
        or isinstance(fit[2], bool)
        or not isinstance(fit[2], int)
    ):
        raise DataFormatError(
            f"a fit of {family} must be (train_end, test_start, rows) as (str, str, int), "
            f"got {fit!r}"
        )
    try:
        train_end, created = dt.date.fromisoformat(fit[0]), dt.date.fromisoformat(fit[1])
    except ValueError:
        raise DataFormatError(f"a fit of {family} has a date that is not ISO: {fit!r}") from None
    return _Fit(family=family, train_end=train_end, created=created, rows=fit[2])


def _summary(values: np.ndarray[Any, np.dtype[np.float64]]) -> dict[str, float]:
    """``dates``, and the mean IC and its t statistic when they are defined (module doc)."""
    n = len(values)
    summary: dict[str, float] = {"dates": float(n)}
    if n == 0:
        return summary
    mean = float(np.mean(values))
    summary[METRIC] = mean
    if n >= 2:
        std = float(np.std(values, ddof=1))
        if std > _NO_SPREAD * max(1.0, abs(mean)):
            summary[f"{METRIC}_t_stat"] = mean / (std / math.sqrt(n))
    return summary


def _best(candidates: Mapping[str, float]) -> str | None:
    """The family with the highest window IC; the first one on ties."""
    best: str | None = None
    for name, ic in candidates.items():
        if best is None or ic > candidates[best]:
            best = name
    return best


def _dates(scores: ValidationScores) -> int:
    return int(scores.scores["dates"])


def _family(record: ModelRecord) -> str:
    return str(record.params["family"])


def _champion_on(by_date: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray[Any, Any]:
    """Per date, the champion family after the last check on or before it (None before)."""
    positions = pd.DatetimeIndex(by_date.index).searchsorted(dates, side="right") - 1
    champions = by_date.to_numpy(dtype=object)
    chosen = np.full(len(dates), None, dtype=object)
    known = positions >= 0
    chosen[known] = champions[positions[known]]
    return chosen


def _position(sessions: pd.DatetimeIndex, day: dt.date, what: str) -> int:
    try:
        found = sessions.get_loc(pd.Timestamp(day))
    except KeyError:
        raise NotFoundError(f"{what} {day} is not a session") from None
    if not isinstance(found, int):
        raise DataFormatError(f"sessions hold {day} more than once")
    return found


def _check_runs(runs: object) -> None:
    if not isinstance(runs, Mapping) or not runs:
        raise InvariantError("runs must be a non-empty mapping of family name -> FamilyRun")
    for name, run in runs.items():
        if not isinstance(run, FamilyRun):
            raise InvariantError(f"run {name!r} must be a FamilyRun, got {type(run).__name__}")
        if run.name != name:
            raise InvariantError(f"run {name!r} holds family {run.name!r}: keys must be names")


def _check_long(name: str, series: object) -> None:
    if not isinstance(series, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(series).__name__}")
    if tuple(series.index.names) != INDEX_NAMES:
        raise DataFormatError(
            f"{name} index must be a (date, ticker) MultiIndex, got {list(series.index.names)}"
        )


def _check_dates(name: str, dates: object) -> None:
    if not isinstance(dates, pd.DatetimeIndex):
        raise DataFormatError(f"{name} must be a DatetimeIndex, got {type(dates).__name__}")
    if not (dates.is_monotonic_increasing and dates.is_unique):
        raise DataFormatError(f"{name} must be strictly increasing (sorted, no duplicates)")
