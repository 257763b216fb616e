"""SentimentSource: session sentiment calibrated and fused like any model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fusion_testdata import HORIZON, Panel, panel

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.signals.fusion import SentimentSource, ViewFusion
from microfolio.signals.sentiment import SessionSentiment


def _sentiment(data: Panel, values: np.ndarray, classes: bool = False) -> SessionSentiment:
    """Sentiment on the panel's dates (``values`` per (date, ticker) row) in ``[-1, 1]``."""
    wide = pd.Series(values, index=data.index).unstack("ticker")
    wide = wide.reindex(data.sessions)
    weight = pd.DataFrame(1.0, index=data.sessions, columns=wide.columns)
    weight.iloc[:5] = 0.1  # stale at the start
    by_class = wide.T.groupby(lambda t: "equity" if t < "T10" else "bond").mean().T
    class_weight = pd.DataFrame(1.0, index=data.sessions, columns=by_class.columns)
    market = wide.mean(axis=1).rename("market")
    return SessionSentiment(
        half_life=5.0,
        by_ticker=wide if not classes else wide.iloc[:, :0],
        by_asset_class=by_class,
        market=market,
        risk_sentiment=market.clip(upper=0).abs(),
        ticker_weight=weight if not classes else weight.iloc[:, :0],
        asset_class_weight=class_weight,
        market_weight=pd.Series(1.0, index=data.sessions),
    )


def test_informative_sentiment_calibrates_and_gives_views() -> None:
    data = panel()
    sentiment = _sentiment(data, np.tanh(data.z / 2))
    source = SentimentSource(min_weight=0.5)

    history = source.history(sentiment, data.labels)
    calibration = data.calibrate(history)
    fused = ViewFusion(kind="absolute").fuse(
        [source.at(sentiment, data.as_of, calibration)], data.as_of
    )

    assert history.name == "sentiment"
    assert history.dates[0] == data.dates[5]  # the stale first sessions are left out
    assert calibration.usable_
    assert calibration.ic_ > 0.9
    assert len(fused) == len(data.tickers)
    assert fused.sources == ("sentiment",)


def test_useless_sentiment_gets_no_views() -> None:
    data = panel()
    sentiment = _sentiment(data, np.tanh(data.noise()))
    source = SentimentSource()

    calibration = data.calibrate(source.history(sentiment, data.labels))
    fused = ViewFusion(kind="absolute").fuse(
        [source.at(sentiment, data.as_of, calibration)], data.as_of
    )

    assert not calibration.usable_
    assert len(fused) == 0
    assert fused.skipped == {"sentiment": calibration.reason_}


def test_asset_class_sentiment_is_mapped_to_its_tickers() -> None:
    data = panel()
    sentiment = _sentiment(data, np.tanh(data.z / 2), classes=True)
    classes = {t: "equity" if t < "T10" else "bond" for t in data.tickers}
    classes["NEW"] = "crypto"  # no news for this class: no score

    scores = SentimentSource(level="asset_class", asset_classes=classes).scores(sentiment)
    day = scores.xs(data.as_of, level="date")

    assert sorted(day.index) == data.tickers
    assert day["T00"] == day["T09"] == sentiment.by_asset_class.loc[data.as_of, "equity"]
    assert day["T10"] == sentiment.by_asset_class.loc[data.as_of, "bond"]


def test_sentiment_scores_are_point_in_time_by_session() -> None:
    data = panel(n_dates=40)
    sentiment = _sentiment(data, np.tanh(data.z))
    source = SentimentSource()

    scores = source.scores(sentiment)
    t = data.dates[20]

    assert scores.xs(t, level="date").tolist() == pytest.approx(sentiment.by_ticker.loc[t].tolist())
    assert scores.index.names == ["date", "ticker"]
    assert len(source.history(sentiment, data.labels).known_at(t, HORIZON, data.sessions)) == 0


def test_bad_sentiment_sources_are_refused() -> None:
    data = panel(n_dates=40)
    sentiment = _sentiment(data, np.tanh(data.z))

    with pytest.raises(InvariantError, match="asset_classes must map tickers"):
        SentimentSource(level="asset_class")
    with pytest.raises(InvariantError, match="level must be ticker or asset_class"):
        SentimentSource(level="market")  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match="min_weight must be a finite number >= 0"):
        SentimentSource(min_weight=-1.0)
    with pytest.raises(DataFormatError, match="sentiment must be a SessionSentiment"):
        SentimentSource().scores(sentiment.by_ticker)  # type: ignore[arg-type]
    calibration = data.calibrate(SentimentSource().history(sentiment, data.labels))
    with pytest.raises(NotFoundError, match="has no fresh sentiment"):
        SentimentSource().at(sentiment, "2019-01-01", calibration)
