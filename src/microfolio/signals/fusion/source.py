"""One source of views at a date: its scores by ticker on that date and its calibration.

A :class:`SignalSource` is what :class:`~microfolio.signals.fusion.ViewFusion` reads: ``name``
(provenance), ``as_of`` (the date the scores were made), ``scores`` (finite, one per ticker;
any scale, they are standardised across tickers when fused) and a fitted
:class:`~microfolio.signals.fusion.Calibration` of the same source, fitted at or before
``as_of`` (a calibration from the future is refused).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.signals.forecast import ForecastScores
from microfolio.signals.fusion._checks import as_timestamp
from microfolio.signals.fusion.calibration import Calibration

__all__ = ["SignalSource"]


@dataclass(frozen=True, eq=False)
class SignalSource:
    """A source's scores at ``as_of`` (indexed by ticker) and its fitted calibration."""

    name: str
    as_of: pd.Timestamp
    scores: pd.Series
    calibration: Calibration

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvariantError(f"source name must be a non-empty string, got {self.name!r}")
        day = as_timestamp("as_of", self.as_of)
        scores = _check_scores(self.name, self.scores)
        calibration = self.calibration
        if not isinstance(calibration, Calibration) or not hasattr(calibration, "usable_"):
            raise InvariantError(
                f"source {self.name}: calibration must be a fitted Calibration, got "
                f"{type(calibration).__name__}"
            )
        if calibration.as_of_ > day:
            raise InvariantError(
                f"source {self.name}: calibration as of {calibration.as_of_.date()} is after "
                f"the scores' date {day.date()}"
            )
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "as_of", day)
        object.__setattr__(self, "scores", scores)

    @classmethod
    def from_forecast(
        cls,
        forecast: ForecastScores | pd.Series,
        as_of: object,
        calibration: Calibration,
        name: str | None = None,
    ) -> SignalSource:
        """The scores of ``forecast`` (or a long (date, ticker) Series) on ``as_of``; ``name``
        defaults to the forecast's ``model_id``, else the calibration's source."""
        day = as_timestamp("as_of", as_of)
        default: str | None
        if isinstance(forecast, ForecastScores):
            section, default = forecast.at(day), forecast.model_id
        elif isinstance(forecast, pd.Series) and isinstance(forecast.index, pd.MultiIndex):
            try:
                section = forecast.xs(day, level=0)
            except KeyError:
                raise NotFoundError(f"date {day.date()} has no scores") from None
            default = getattr(calibration, "source_", None)
        else:
            raise DataFormatError(
                f"forecast must be ForecastScores or a long Series, got {type(forecast).__name__}"
            )
        chosen = name if name is not None else default
        if chosen is None:
            raise InvariantError("name must be given for a Series and an unfitted calibration")
        return cls(chosen, day, pd.Series(section).dropna(), calibration)


def _check_scores(name: str, scores: object) -> pd.Series:
    if not isinstance(scores, pd.Series):
        raise DataFormatError(
            f"source {name}: scores must be a Series by ticker, got {type(scores).__name__}"
        )
    if isinstance(scores.index, pd.MultiIndex):
        raise DataFormatError(
            f"source {name}: scores must be indexed by ticker only (one date), got a MultiIndex"
        )
    if scores.empty:
        raise DataFormatError(f"source {name}: scores are empty")
    if not scores.index.is_unique:
        repeated = scores.index[scores.index.duplicated()].tolist()
        raise DataFormatError(f"source {name}: scores repeat tickers {repeated}")
    try:
        values = scores.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise DataFormatError(f"source {name}: scores must hold numbers") from None
    if not np.isfinite(values).all():
        bad = scores.index[~np.isfinite(values)].tolist()
        raise DataFormatError(f"source {name}: scores must be finite (bad: {bad})")
    index = pd.Index([str(t) for t in scores.index], name="ticker")
    return pd.Series(values, index=index, name="score").sort_index()
