"""What a return forecaster says: a score per (date, ticker), a confidence, and who said it.

A :class:`ForecastScores` is frozen and checked on construction: ``scores`` is a finite float
Series on a sorted, unique (date, ticker) MultiIndex; ``confidence`` is either per row (the same
index as ``scores``) or per date (indexed by the dates of ``scores``), with values in ``[0, 1]``;
``model_id`` names the model and ``params`` its parameters. Scores are comparable across tickers
of one date (higher means a higher expected label); they need not be on the label's scale (the
momentum baseline scores with a raw feature).

Confidence, for every model, is ``s / (s + u)``: ``s`` is the standard deviation of the
training labels and ``u`` the model's uncertainty about the label, in label units (each model
says what its ``u`` is). It is 0.5 when the model is as uncertain as the labels are dispersed
(no edge), tends to 1 as ``u`` shrinks and is 0 for "no view" (``u`` infinite).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast._checks import check_long_series

__all__ = ["ConfidenceLevel", "ForecastScores", "confidence_from_uncertainty"]

ConfidenceLevel = Literal["row", "date"]


def confidence_from_uncertainty(uncertainty: object, label_scale: float) -> Any:
    """``s / (s + u)`` elementwise, for ``u >= 0`` (infinite ``u`` gives 0)."""
    u = np.asarray(uncertainty, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(np.isinf(u), 0.0, label_scale / (label_scale + u))
    return out


class ForecastScores:
    """Scores per (date, ticker), a confidence per row or per date, the model id and params."""

    __slots__ = ("_confidence", "_level", "_model_id", "_params", "_scores")

    _scores: pd.Series
    _confidence: pd.Series
    _level: ConfidenceLevel
    _model_id: str
    _params: Mapping[str, Any]

    def __init__(
        self,
        scores: pd.Series,
        confidence: pd.Series,
        model_id: str,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        checked = _check_scores(scores)
        conf, level = _check_confidence(confidence, checked)
        if not isinstance(model_id, str) or not model_id:
            raise InvariantError(f"model_id must be a non-empty string, got {model_id!r}")
        params = {} if params is None else params
        if not isinstance(params, Mapping) or any(not isinstance(k, str) for k in params):
            raise InvariantError(f"params must map names to values, got {params!r}")
        object.__setattr__(self, "_scores", checked)
        object.__setattr__(self, "_confidence", conf)
        object.__setattr__(self, "_level", level)
        object.__setattr__(self, "_model_id", model_id)
        object.__setattr__(self, "_params", MappingProxyType(dict(params)))

    @property
    def scores(self) -> pd.Series:
        """The scores (a copy-on-write copy), named ``score``."""
        return self._scores.copy(deep=False)

    @property
    def confidence(self) -> pd.Series:
        """Confidence per row (index of :attr:`scores`) or per date (see :attr:`level`)."""
        return self._confidence.copy(deep=False)

    @property
    def level(self) -> ConfidenceLevel:
        """``"row"`` when confidence is given per (date, ticker), ``"date"`` when per date."""
        return self._level

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def params(self) -> Mapping[str, Any]:
        """The model's parameters (read-only)."""
        return self._params

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The distinct dates with a score, ascending."""
        return pd.DatetimeIndex(self._scores.index.unique(level=INDEX_NAMES[0]))

    def row_confidence(self) -> pd.Series:
        """Confidence per (date, ticker): per-date values repeated on each row of their date."""
        if self._level == "row":
            return self.confidence
        dates = self._scores.index.get_level_values(INDEX_NAMES[0])
        values = self._confidence.reindex(dates).to_numpy(dtype=np.float64)
        return pd.Series(values, index=self._scores.index, name="confidence")

    def at(self, date: dt.date | str | pd.Timestamp) -> pd.Series:
        """The scores of one date, indexed by ticker."""
        day = pd.Timestamp(date)
        try:
            section = self._scores.xs(day, level=INDEX_NAMES[0])
        except KeyError:
            raise NotFoundError(f"date {day.date()} has no scores") from None
        return pd.Series(section, name="score")

    def select(self, dates: Iterable[object]) -> ForecastScores:
        """Only the rows on ``dates`` (dates without scores are ignored)."""
        wanted = pd.DatetimeIndex(list(dates) if not isinstance(dates, pd.Index) else dates)
        rows = self._scores.index.get_level_values(INDEX_NAMES[0]).isin(wanted)
        if self._level == "row":
            confidence = self._confidence[rows]
        else:
            confidence = self._confidence[self._confidence.index.isin(wanted)]
        return ForecastScores(self._scores[rows], confidence, self._model_id, self._params)

    @classmethod
    def concat(cls, parts: Iterable[ForecastScores]) -> ForecastScores:
        """One forecast from parts of one model on disjoint dates (e.g. walk-forward splits)."""
        items = list(parts)
        if not items:
            raise InvariantError("parts must hold at least one ForecastScores")
        first = items[0]
        for item in items[1:]:
            if item.model_id != first.model_id or item.level != first.level:
                raise InvariantError(
                    f"parts must come from one model with one confidence level, got "
                    f"{first.model_id}/{first.level} and {item.model_id}/{item.level}"
                )
        scores = pd.concat([p._scores for p in items]).sort_index()
        confidence = pd.concat([p._confidence for p in items]).sort_index()
        if not scores.index.is_unique:
            raise InvariantError("parts must not score the same (date, ticker) twice")
        return cls(scores, confidence, first.model_id, first.params)

    def to_frame(self) -> pd.DataFrame:
        """``score`` and (row) ``confidence`` columns per (date, ticker)."""
        return pd.DataFrame({"score": self._scores, "confidence": self.row_confidence()})

    def __len__(self) -> int:
        return len(self._scores)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ForecastScores):
            return NotImplemented
        return (
            self._model_id == other._model_id
            and self._level == other._level
            and dict(self._params) == dict(other._params)
            and self._scores.equals(other._scores)
            and self._confidence.equals(other._confidence)
        )

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ForecastScores is frozen: cannot set {name}")

    def __repr__(self) -> str:
        dates = self.dates
        span = f"{dates[0].date()}..{dates[-1].date()}" if len(dates) else "empty"
        return (
            f"ForecastScores({self._model_id}, {len(self)} rows, {span}, "
            f"confidence per {self._level})"
        )


def _check_scores(scores: object) -> pd.Series:
    series = check_long_series("scores", scores)
    index = series.index
    assert isinstance(index, pd.MultiIndex)
    if len(index) and not isinstance(index.levels[0], pd.DatetimeIndex):
        raise DataFormatError(f"scores date level must hold dates, got {index.levels[0].dtype}")
    if not (index.is_monotonic_increasing and index.is_unique):
        raise DataFormatError("scores index must be sorted by (date, ticker) without repeats")
    if series.isna().any():
        raise DataFormatError("scores must be finite: drop the rows a model cannot score")
    return series.rename("score")


def _check_confidence(confidence: object, scores: pd.Series) -> tuple[pd.Series, ConfidenceLevel]:
    if not isinstance(confidence, pd.Series):
        raise DataFormatError(
            f"confidence must be a pandas Series, got {type(confidence).__name__}"
        )
    level: ConfidenceLevel
    if isinstance(confidence.index, pd.MultiIndex):
        if not confidence.index.equals(scores.index):
            raise DataFormatError("confidence per row must have the (date, ticker) rows of scores")
        level = "row"
    else:
        dates = pd.DatetimeIndex(scores.index.unique(level=INDEX_NAMES[0]))
        if not (isinstance(confidence.index, pd.DatetimeIndex) and confidence.index.equals(dates)):
            raise DataFormatError(
                "confidence must be indexed by the (date, ticker) rows of scores or by their "
                "dates, ascending"
            )
        level = "date"
    try:
        values = confidence.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"confidence must hold numbers, got {confidence.dtype}") from None
    bad = ~((values >= 0.0) & (values <= 1.0))
    if bad.any():
        raise InvariantError(
            f"confidence must lie in [0, 1], got {float(values[int(np.argmax(bad))])!r}"
        )
    out = pd.Series(values, index=confidence.index, name="confidence")
    if level == "date":
        out.index = out.index.rename(INDEX_NAMES[0])
    return out, level
