"""Fitting and predicting a forecaster on some dates of a feature frame."""

from __future__ import annotations

import pandas as pd

from microfolio.errors import DataFormatError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast import Forecaster, ForecastScores

__all__ = ["fit_on", "on_dates", "predict_on"]


def on_dates(X: FeatureFrame, dates: pd.DatetimeIndex) -> FeatureFrame:  # noqa: N803 (scikit-learn name)
    """The rows of ``X`` on ``dates``."""
    frame = X.frame
    rows = frame.index.get_level_values(INDEX_NAMES[0]).isin(dates)
    return FeatureFrame(frame[rows], X.spec)


def fit_on(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    dates: pd.DatetimeIndex,
) -> Forecaster:
    """``forecaster`` fitted on the rows of ``X`` and ``y`` on ``dates``."""
    frame = X.frame
    rows = frame.index.get_level_values(INDEX_NAMES[0]).isin(dates)
    if not rows.any():
        raise DataFormatError(
            f"X has no rows on the {len(dates)} training dates "
            f"{_span(dates)}: the split does not match the features"
        )
    return forecaster.fit(FeatureFrame(frame[rows], X.spec), y[rows])


def predict_on(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    dates: pd.DatetimeIndex,
) -> ForecastScores:
    """The scores on ``dates``, predicted from those dates of ``X`` and the
    ``context_sessions`` dates of ``X`` before the first of them."""
    sessions = X.dates
    first = int(sessions.searchsorted(dates.min())) if len(dates) else len(sessions)
    begin = max(first - forecaster.context_sessions, 0)
    wanted = sessions[begin:][sessions[begin:] <= dates.max()] if len(dates) else sessions[:0]
    context = on_dates(X, wanted)
    if len(context) == 0:
        raise DataFormatError(f"X has no rows on the test dates {_span(dates)}")
    return forecaster.predict(context).select(dates)


def _span(dates: pd.DatetimeIndex) -> str:
    if len(dates) == 0:
        return "(none)"
    return f"{dates.min().date()}..{dates.max().date()}"
