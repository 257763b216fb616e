"""ForecastScores: a frozen, checked value; and the per-date cross-sectional z-score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.signals.forecast import (
    ForecastScores,
    confidence_from_uncertainty,
    cross_sectional_zscore,
)

DATES = pd.bdate_range("2022-03-01", periods=3)
INDEX = pd.MultiIndex.from_product([DATES, ["AAA", "BBB"]], names=["date", "ticker"])


def _scores(values: list[float] | None = None) -> pd.Series:
    return pd.Series(values or [0.1, -0.2, 0.3, 0.0, 0.05, 0.2], index=INDEX)


def _per_date(value: float = 0.5) -> pd.Series:
    return pd.Series(value, index=DATES)


def test_confidence_may_be_per_row_or_per_date() -> None:
    per_row = ForecastScores(_scores(), pd.Series(0.7, index=INDEX), "m", {"a": 1})
    per_date = ForecastScores(_scores(), _per_date(0.4), "m")

    assert per_row.level == "row"
    assert per_date.level == "date"
    assert (per_date.row_confidence() == 0.4).all()
    assert per_date.row_confidence().index.equals(INDEX)
    assert per_row.params == {"a": 1}
    assert per_date.at(DATES[1]).to_dict() == {"AAA": 0.3, "BBB": 0.0}
    assert list(per_row.to_frame().columns) == ["score", "confidence"]


def test_forecast_scores_are_frozen_and_hand_out_copies() -> None:
    forecast = ForecastScores(_scores(), _per_date(), "m", {"a": 1})

    scores = forecast.scores
    scores.iloc[0] = 99.0

    assert forecast.scores.iloc[0] == 0.1
    with pytest.raises(AttributeError, match="frozen"):
        forecast.model_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        forecast.params["a"] = 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("scores", "confidence", "error", "message"),
    [
        (_scores([np.nan, 0, 0, 0, 0, 0]), _per_date(), DataFormatError, "scores must be finite"),
        (_scores().iloc[::-1], _per_date(), DataFormatError, "scores index must be sorted"),
        (_scores(), _per_date(1.5), InvariantError, r"confidence must lie in \[0, 1\], got 1.5"),
        (_scores(), _per_date().iloc[:2], DataFormatError, "confidence must be indexed by"),
        (_scores(), pd.Series(0.5, index=INDEX[:3]), DataFormatError, "confidence per row"),
        (
            _scores().reset_index(drop=True),
            _per_date(),
            DataFormatError,
            r"scores index must be a \(date, ticker\) MultiIndex",
        ),
    ],
)
def test_forecast_scores_refuse_broken_invariants(
    scores: pd.Series, confidence: pd.Series, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ForecastScores(scores, confidence, "m")


def test_forecast_scores_need_a_model_id() -> None:
    with pytest.raises(InvariantError, match="model_id must be a non-empty string"):
        ForecastScores(_scores(), _per_date(), "")


def test_select_and_concat_round_trip() -> None:
    forecast = ForecastScores(_scores(), _per_date(), "m")

    parts = [forecast.select(DATES[:1]), forecast.select(DATES[1:])]

    assert ForecastScores.concat(parts) == forecast
    with pytest.raises(InvariantError, match="must not score the same"):
        ForecastScores.concat([forecast, forecast])
    with pytest.raises(NotFoundError, match="date 2022-01-03 has no scores"):
        forecast.at("2022-01-03")


def test_confidence_is_label_scale_over_label_scale_plus_uncertainty() -> None:
    out = confidence_from_uncertainty(np.array([0.0, 0.02, np.inf]), 0.02)

    np.testing.assert_allclose(out, [1.0, 0.5, 0.0])


def test_cross_sectional_zscore_centres_and_scales_each_date() -> None:
    frame = pd.DataFrame(
        {"x": [1.0, 3.0, 10.0, 30.0, np.nan, 5.0], "market": [2.0, 2.0, 4.0, 4.0, 6.0, 6.0]},
        index=INDEX,
    )

    z = cross_sectional_zscore(frame)

    np.testing.assert_allclose(z["x"].to_numpy()[:4], [-1.0, 1.0, -1.0, 1.0])
    assert np.isnan(z["x"].iloc[4])
    assert z["x"].iloc[5] == 0.0  # alone on its date: no spread
    assert (z["market"] == 0.0).all()  # the same for every ticker: no information
