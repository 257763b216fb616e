"""One source's out-of-sample record: the scores it gave and the labels that were realised.

A :class:`SignalHistory` pairs, per ``(date, ticker)``, a score the source gave at ``date``
(out of sample: from a walk-forward run, a baseline read off point-in-time features, or
sentiment aligned to sessions) with the realised label of that row (a forward return over
``horizon`` sessions, :func:`~microfolio.features.forward_returns`). A label dated ``t_i`` is
known only at the close of session ``t_i + horizon``; :meth:`SignalHistory.known_at` keeps the
pairs whose label had ended by ``t`` and nothing else, so a calibration fitted on it at ``t``
is point in time by construction.

Frozen: checked on construction (scores finite, labels finite or NaN for "not realised", both
on one sorted, unique (date, ticker) index); the accessors hand out copy-on-write copies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast import ForecastScores
from microfolio.signals.forecast._checks import check_count, check_long_series
from microfolio.signals.fusion._checks import as_sessions, as_timestamp

__all__ = ["SignalHistory"]


class SignalHistory:
    """Out-of-sample scores and realised labels of one source, per (date, ticker)."""

    __slots__ = ("_labels", "_name", "_scores")

    _scores: pd.Series
    _labels: pd.Series
    _name: str

    def __init__(self, scores: pd.Series, labels: pd.Series, name: str) -> None:
        score = check_long_series("scores", scores)
        label = check_long_series("labels", labels)
        index = score.index
        assert isinstance(index, pd.MultiIndex)
        if len(index) and not isinstance(index.levels[0], pd.DatetimeIndex):
            raise DataFormatError(f"scores date level must hold dates, got {index.levels[0].dtype}")
        if not (index.is_monotonic_increasing and index.is_unique):
            raise DataFormatError("scores index must be sorted by (date, ticker) without repeats")
        if score.isna().any():
            raise DataFormatError("scores must be finite: drop the rows a source did not score")
        if not label.index.equals(index):
            raise DataFormatError(
                f"labels must have the (date, ticker) rows of scores in order: scores have "
                f"{len(score)} rows, labels {len(label)} (use SignalHistory.from_scores to align)"
            )
        if not isinstance(name, str) or not name.strip():
            raise InvariantError(f"name must be a non-empty string, got {name!r}")
        object.__setattr__(self, "_scores", score.rename("score"))
        object.__setattr__(self, "_labels", label.rename("label"))
        object.__setattr__(self, "_name", name.strip())

    @classmethod
    def from_scores(
        cls, scores: ForecastScores | pd.Series, labels: pd.Series, name: str | None = None
    ) -> SignalHistory:
        """Pair ``scores`` (a forecast's, or a long Series) with ``labels`` on the scored rows.

        Rows without a finite score are dropped; a scored row missing from ``labels`` gets NaN
        (not realised). ``name`` defaults to the forecast's ``model_id``.
        """
        if isinstance(scores, ForecastScores):
            series, default = scores.scores, scores.model_id
        else:
            series, default = check_long_series("scores", scores), None
        label = check_long_series("labels", labels)
        if not label.index.is_unique:
            raise DataFormatError("labels index must not repeat a (date, ticker) row")
        series = series.dropna().sort_index()
        chosen = name if name is not None else default
        if chosen is None:
            raise InvariantError("name must be given when scores are a Series")
        return cls(series, label.reindex(series.index), chosen)

    @property
    def scores(self) -> pd.Series:
        """The scores (a copy-on-write copy), named ``score``."""
        return self._scores.copy(deep=False)

    @property
    def labels(self) -> pd.Series:
        """The realised labels (NaN: not realised), named ``label``."""
        return self._labels.copy(deep=False)

    @property
    def name(self) -> str:
        """The source's name: it travels into the calibration and the views' provenance."""
        return self._name

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The distinct dates with a score, ascending."""
        return pd.DatetimeIndex(self._scores.index.unique(level=INDEX_NAMES[0]))

    def known_at(self, t: object, horizon: int, sessions: pd.DatetimeIndex) -> SignalHistory:
        """The pairs whose label was known at ``t``: realised (not NaN) and dated ``t_i`` with
        ``sessions[position(t_i) + horizon] <= t``.

        ``sessions`` is the calendar the labels count ``horizon`` in; it must hold every history
        date up to its last session (dates after it cannot be placed and count as not known).
        """
        day = as_timestamp("t", t)
        h = check_count("horizon", horizon, 1)
        calendar = as_sessions(sessions)
        dates = self.dates
        inside = dates[dates <= calendar[-1]]
        positions = calendar.get_indexer(inside)
        if (positions < 0).any():
            missing = inside[int(np.argmax(positions < 0))]
            raise NotFoundError(f"history date {missing.date()} is not one of the sessions")
        ends = positions + h
        placed = ends < len(calendar)
        ended = np.zeros(len(inside), dtype=bool)
        ended[placed] = calendar[ends[placed]] <= day
        known = inside[ended]
        rows = self._scores.index.get_level_values(INDEX_NAMES[0]).isin(known)
        rows &= self._labels.notna().to_numpy()
        return SignalHistory(self._scores[rows], self._labels[rows], self._name)

    def __len__(self) -> int:
        return len(self._scores)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SignalHistory):
            return NotImplemented
        return (
            self._name == other._name
            and self._scores.equals(other._scores)
            and self._labels.equals(other._labels)
        )

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SignalHistory is frozen: cannot set {name}")

    def __repr__(self) -> str:
        dates = self.dates
        span = f"{dates[0].date()}..{dates[-1].date()}" if len(dates) else "empty"
        realised = int(self._labels.notna().sum())
        return f"SignalHistory({self._name}, {len(self)} rows, {realised} realised, {span})"
