"""News sentiment as a source of views, calibrated like any model on its own record.

:class:`SentimentSource` reads a :class:`~microfolio.signals.sentiment.SessionSentiment` as
scores per (session, ticker): the ticker's own decayed sentiment (``level="ticker"``) or that
of its asset class (``level="asset_class"``, through ``asset_classes``, a ticker -> asset class
mapping). A score whose decayed item count (the ``*_weight`` frames) is below ``min_weight`` is
stale and left out. Sentiment at a session reads only news aligned to sessions up to it, so its
pairs with the labels of that session are out of sample by construction: :meth:`history` gives
the :class:`~microfolio.signals.fusion.SignalHistory` a
:class:`~microfolio.signals.fusion.Calibration` is fitted on, exactly as for a forecaster, and a
sentiment that did not predict returns gets no views (or wide ones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, cast

import pandas as pd

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.signals.fusion._checks import as_timestamp
from microfolio.signals.fusion.calibration import Calibration
from microfolio.signals.fusion.history import SignalHistory
from microfolio.signals.fusion.source import SignalSource
from microfolio.signals.sentiment.aggregate import SessionSentiment

__all__ = ["SentimentSource"]


@dataclass(frozen=True)
class SentimentSource:
    """Sentiment per session and ticker as a source's scores (see the module)."""

    name: str = "sentiment"
    level: Literal["ticker", "asset_class"] = "ticker"
    asset_classes: Mapping[str, str] | None = None
    min_weight: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvariantError(f"name must be a non-empty string, got {self.name!r}")
        if self.level not in ("ticker", "asset_class"):
            raise InvariantError(f"level must be ticker or asset_class, got {self.level!r}")
        weight = self.min_weight
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not (math.isfinite(weight) and weight >= 0.0)
        ):
            raise InvariantError(f"min_weight must be a finite number >= 0, got {weight!r}")
        classes = self.asset_classes
        if classes is None:
            if self.level == "asset_class":
                raise InvariantError("asset_classes must map tickers to asset classes")
            return
        if not isinstance(classes, Mapping) or not classes:
            raise InvariantError(f"asset_classes must be a non-empty mapping, got {classes!r}")
        bad = [k for k, v in classes.items() if not (isinstance(k, str) and isinstance(v, str))]
        if bad:
            raise InvariantError(f"asset_classes must map ticker names to class names, bad {bad}")
        object.__setattr__(self, "asset_classes", MappingProxyType(dict(classes)))

    def scores(self, sentiment: SessionSentiment) -> pd.Series:
        """Sentiment per (session, ticker), long, without stale or missing entries."""
        if not isinstance(sentiment, SessionSentiment):
            raise DataFormatError(
                f"sentiment must be a SessionSentiment, got {type(sentiment).__name__}"
            )
        values, weights = self._wide(sentiment)
        fresh = values.where(weights >= self.min_weight)
        long = cast(pd.Series, fresh.stack()).dropna()
        long.index = long.index.set_names(list(INDEX_NAMES))
        return long.astype("float64").sort_index().rename("score")

    def history(self, sentiment: SessionSentiment, labels: pd.Series) -> SignalHistory:
        """The sentiment's out-of-sample record against ``labels`` (long forward returns)."""
        return SignalHistory.from_scores(self.scores(sentiment), labels, self.name)

    def at(
        self, sentiment: SessionSentiment, as_of: object, calibration: Calibration
    ) -> SignalSource:
        """The sentiment of session ``as_of`` as a source, with its (fitted) calibration."""
        day = as_timestamp("as_of", as_of)
        long = self.scores(sentiment)
        dates = long.index.get_level_values(INDEX_NAMES[0])
        if not (dates == day).any():
            raise NotFoundError(f"session {day.date()} has no fresh sentiment for {self.name}")
        section = long[dates == day].droplevel(INDEX_NAMES[0])
        return SignalSource(self.name, day, section, calibration)

    def _wide(self, sentiment: SessionSentiment) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self.level == "ticker":
            values, weights = sentiment.by_ticker, sentiment.ticker_weight
            if self.asset_classes is not None:
                keep = [t for t in values.columns if t in self.asset_classes]
                values, weights = values[keep], weights[keep]
            return values, weights
        assert self.asset_classes is not None
        tickers = sorted(self.asset_classes)
        by_class, class_weight = sentiment.by_asset_class, sentiment.asset_class_weight
        index = by_class.index
        columns = pd.Index(tickers, name="ticker")
        values = pd.DataFrame(
            {
                t: by_class.get(self.asset_classes[t], pd.Series(math.nan, index=index))
                for t in tickers
            },
            index=index,
            columns=columns,
            dtype="float64",
        )
        weights = pd.DataFrame(
            {
                t: class_weight.get(self.asset_classes[t], pd.Series(math.nan, index=index))
                for t in tickers
            },
            index=index,
            columns=columns,
            dtype="float64",
        ).fillna(0.0)
        return values, weights
