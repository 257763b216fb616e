"""Per-session decayed sentiment: hand-checked decay, groups, risk and stress, point in time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from microfolio.data.news import NewsItem
from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.sentiment import SessionSentiment, aggregate

NEW_YORK = ZoneInfo("America/New_York")
#: Monday 4 to Friday 8 March 2024, five XNYS sessions
WEEK = pd.DatetimeIndex(pd.date_range("2024-03-04", "2024-03-08", freq="D"))


def news(when: str, tickers: tuple[str, ...] = (), asset_classes: tuple[str, ...] = ()) -> NewsItem:
    return NewsItem(
        published_at=dt.datetime.fromisoformat(when).replace(tzinfo=NEW_YORK),
        headline=f"news at {when}",
        source="test",
        tickers=tickers,
        asset_classes=asset_classes,
    )


#: A: Monday, ACME; B: Tuesday after the close, so Wednesday, ACME; C: Wednesday, bonds only
ITEMS = [
    news("2024-03-04 10:00", ("ACME",), ("us_equity",)),
    news("2024-03-05 17:00", ("ACME",)),
    news("2024-03-06 09:00", (), ("us_bonds",)),
]
SCORES = [0.8, -0.4, -0.6]


@pytest.fixture(scope="module")
def week() -> SessionSentiment:
    return aggregate(ITEMS, SCORES, WEEK, half_life=1.0)


def test_ticker_sentiment_is_the_decayed_mean_by_hand(week: SessionSentiment) -> None:
    # half-life 1: weights halve each session. Wednesday: (0.8 * 0.25 - 0.4) / (0.25 + 1)
    expected = [0.8, 0.8, -0.16, -0.16, -0.16]
    weights = [1.0, 0.5, 1.25, 0.625, 0.3125]

    assert week.by_ticker["ACME"].tolist() == pytest.approx(expected)
    assert week.ticker_weight["ACME"].tolist() == pytest.approx(weights)


def test_asset_class_and_market_sentiment_by_hand(week: SessionSentiment) -> None:
    wednesday = (0.8 * 0.25 - 0.4 - 0.6) / (0.25 + 2.0)

    assert week.by_asset_class["us_equity"].tolist() == pytest.approx([0.8] * 5)
    assert np.isnan(week.by_asset_class["us_bonds"].iloc[:2]).all()
    assert week.by_asset_class["us_bonds"].iloc[2:].tolist() == pytest.approx([-0.6] * 3)
    assert week.market.tolist() == pytest.approx([0.8, 0.8, wednesday, wednesday, wednesday])
    assert week.market_weight.tolist() == pytest.approx([1.0, 0.5, 2.25, 1.125, 0.5625])


def test_risk_sentiment_and_stress_by_hand(week: SessionSentiment) -> None:
    # negative parts 0, 0.4, 0.6: Wednesday (0 * 0.25 + 0.4 + 0.6) / 2.25
    risky = 1.0 / 2.25

    assert week.risk_sentiment.tolist() == pytest.approx([0.0, 0.0, risky, risky, risky])
    assert week.stress(0.4).tolist() == [False, False, True, True, True]
    assert not week.stress(0.5).any()


def test_a_longer_half_life_halves_weight_after_that_many_sessions() -> None:
    slow = aggregate(ITEMS[:1], SCORES[:1], WEEK, half_life=2.0)

    assert slow.ticker_weight["ACME"].iloc[2] == pytest.approx(0.5)
    assert slow.ticker_weight["ACME"].iloc[4] == pytest.approx(0.25)


def test_future_items_leave_earlier_sessions_unchanged(week: SessionSentiment) -> None:
    future = [
        news("2024-03-07 16:00", ("ACME",)),  # at Thursday's close: counts for Friday
        news("2024-03-08 10:00", ("BETA",), ("us_bonds",)),
        news("2024-03-11 09:00", ("ACME",)),  # after the last session asked for
    ]

    more = aggregate([*ITEMS, *future], [*SCORES, 1.0, -1.0, -1.0], WEEK, half_life=1.0)

    upto = WEEK[:4]  # Monday to Thursday
    pd.testing.assert_frame_equal(more.by_ticker.loc[upto, ["ACME"]], week.by_ticker.loc[upto])
    pd.testing.assert_frame_equal(more.by_asset_class.loc[upto], week.by_asset_class.loc[upto])
    pd.testing.assert_series_equal(more.market.loc[upto], week.market.loc[upto])
    pd.testing.assert_series_equal(more.risk_sentiment.loc[upto], week.risk_sentiment.loc[upto])
    assert more.by_ticker.loc[upto, "BETA"].isna().all()
    assert more.by_ticker.loc["2024-03-08", "ACME"] != week.by_ticker.loc["2024-03-08", "ACME"]


def test_asking_for_fewer_sessions_changes_no_value() -> None:
    full = aggregate(ITEMS, SCORES, WEEK, half_life=1.0)

    sparse = aggregate(ITEMS, SCORES, WEEK[[0, 4]], half_life=1.0)

    assert sparse.by_ticker["ACME"].tolist() == full.by_ticker["ACME"].iloc[[0, 4]].tolist()
    assert sparse.market_weight.iloc[1] == pytest.approx(full.market_weight.iloc[4])


def test_items_before_the_first_session_carry_their_decayed_weight() -> None:
    earlier = [news("2024-03-01 12:00", ("ACME",))]  # the Friday before

    result = aggregate(earlier, [0.5], WEEK, half_life=1.0)

    assert result.by_ticker["ACME"].iloc[0] == pytest.approx(0.5)
    assert result.ticker_weight["ACME"].iloc[0] == pytest.approx(0.5)


def test_no_items_gives_nan_sentiment_and_no_stress() -> None:
    empty = aggregate([], [], WEEK, half_life=3.0)

    assert empty.by_ticker.shape == (5, 0)
    assert empty.market.isna().all()
    assert not empty.stress(0.0).any()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvariantError, match="one value per item"):
        aggregate(ITEMS, SCORES[:2], WEEK, half_life=1.0)
    with pytest.raises(InvariantError, match=r"scores\[1\] must be in \[-1, 1\]"):
        aggregate(ITEMS, [0.1, 1.5, 0.0], WEEK, half_life=1.0)
    with pytest.raises(InvariantError, match="half_life"):
        aggregate(ITEMS, SCORES, WEEK, half_life=0.0)
    with pytest.raises(DataFormatError, match="2024-03-09 is not an XNYS session"):
        aggregate(ITEMS, SCORES, pd.DatetimeIndex(["2024-03-08", "2024-03-09"]), half_life=1.0)
    with pytest.raises(InvariantError, match="stress threshold"):
        aggregate(ITEMS, SCORES, WEEK, half_life=1.0).stress(2.0)
