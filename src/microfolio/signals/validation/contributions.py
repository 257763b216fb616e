"""Why one forecast: the features that moved the score of one ticker on one date.

* For a linear forecaster (one that is
  :class:`~microfolio.signals.forecast.LinearlyExplained`, such as the ElasticNet) the
  contributions are exact: ``coef_j * z_j`` with ``z_j`` the standardised value of feature
  ``j``; all of them sum to the score minus the intercept (``method="linear"``).
* For any other forecaster (trees, boosting, the LSTM) they come from local occlusion: feature
  ``j`` of the ticker is replaced by the cross-sectional median of feature ``j`` on the same
  date (on every date the forecaster reads, for a sequence model) and the contribution is the
  score minus the occluded score (``method="occlusion"``). These need not sum to anything:
  features interact.

``top_contributions`` returns the ``k`` largest in absolute value, largest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from microfolio.errors import NotFoundError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast import Forecaster, LinearlyExplained
from microfolio.signals.forecast._checks import check_count, check_features
from microfolio.signals.validation._slicing import on_dates

__all__ = ["Contribution", "Explanation", "top_contributions"]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One feature's raw value for the row and its contribution to the score."""

    feature: str
    value: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """The score of (date, ticker), how it was explained and the top contributions.

    ``intercept`` is the linear model's intercept (None for occlusion).
    """

    date: pd.Timestamp
    ticker: str
    model_id: str
    method: Literal["linear", "occlusion"]
    score: float
    intercept: float | None
    contributions: tuple[Contribution, ...]


def top_contributions(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    date: dt.date | str | pd.Timestamp,
    ticker: str,
    k: int = 5,
) -> Explanation:
    """The ``k`` features that moved the fitted ``forecaster``'s score of ``ticker`` on
    ``date`` most (see the module). ``X`` must hold that date's cross-section and, for a
    sequence model, the ``context_sessions`` dates before it."""
    count = check_count("k", k, 1)
    frame = check_features(X)
    day = pd.Timestamp(date)
    sessions = X.dates
    position = int(sessions.searchsorted(day))
    if position >= len(sessions) or sessions[position] != day:
        raise NotFoundError(f"date {day.date()} has no rows in X")
    if (day, ticker) not in frame.index:
        raise NotFoundError(f"ticker {ticker!r} has no row in X on {day.date()}")
    context = on_dates(X, sessions[max(position - forecaster.context_sessions, 0) : position + 1])
    scored = forecaster.predict(context).scores
    if (day, ticker) not in scored.index:
        raise NotFoundError(
            f"{forecaster.model_id} cannot score {ticker} on {day.date()} (missing features)"
        )
    score = float(scored.loc[(day, ticker)])
    raw = dict(zip(frame.columns, _row(frame, day, ticker), strict=True))
    if isinstance(forecaster, LinearlyExplained):
        parts, intercept = forecaster.linear_contributions(context)
        found = dict(zip(map(str, parts.columns), _row(parts, day, ticker), strict=True))
        method: Literal["linear", "occlusion"] = "linear"
        base: float | None = intercept
    else:
        found = _occlusion(forecaster, context, day, ticker, score)
        method, base = "occlusion", None
    ranked = sorted(found.items(), key=lambda item: -abs(item[1]))[:count]
    return Explanation(
        date=day,
        ticker=ticker,
        model_id=forecaster.model_id,
        method=method,
        score=score,
        intercept=base,
        contributions=tuple(Contribution(f, float(raw[f]), c) for f, c in ranked),
    )


def _row(frame: pd.DataFrame, day: pd.Timestamp, ticker: str) -> list[float]:
    values = frame.loc[[(day, ticker)]].to_numpy(dtype=np.float64)[0]
    return [float(v) for v in values]


def _occlusion(
    forecaster: Forecaster, context: FeatureFrame, day: pd.Timestamp, ticker: str, score: float
) -> dict[str, float]:
    """Score minus the score with each feature of ``ticker`` set to its per-date median."""
    frame = context.frame
    medians = frame.groupby(level=INDEX_NAMES[0]).transform("median")
    mine = frame.index.get_level_values(INDEX_NAMES[1]) == ticker
    values = frame.to_numpy(dtype=np.float64)
    central = medians.to_numpy(dtype=np.float64)
    out: dict[str, float] = {}
    for column, name in enumerate(frame.columns):
        occluded = values.copy()
        replace = mine & ~np.isnan(central[:, column])
        occluded[replace, column] = central[replace, column]
        trial = FeatureFrame(
            pd.DataFrame(occluded, index=frame.index, columns=frame.columns), context.spec
        )
        after = forecaster.predict(trial).scores
        out[str(name)] = score - float(after.loc[(day, ticker)])
    return out
