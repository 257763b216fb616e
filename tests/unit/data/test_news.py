"""News items, feeds, file readers and the XNYS session each item counts for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from microfolio.data.news import (
    NewsItem,
    SessionSchedule,
    StaticNewsFeed,
    read_news,
    read_news_csv,
    read_news_jsonl,
)
from microfolio.errors import DataFormatError, InvariantError

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def ny(text: str) -> dt.datetime:
    """A New York wall-clock time, ``YYYY-MM-DD HH:MM[:SS]``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def item(published_at: dt.datetime, headline: str = "Acme beats estimates") -> NewsItem:
    return NewsItem(published_at=published_at, headline=headline, source="test")


@pytest.fixture(scope="module")
def schedule() -> SessionSchedule:
    return SessionSchedule.xnys("2017-11-01", "2024-12-31")


def session(schedule: SessionSchedule, published_at: dt.datetime) -> str:
    return schedule.session_of(published_at).strftime("%Y-%m-%d")


# --- NewsItem ------------------------------------------------------------------------------


def test_news_item_refuses_a_naive_time() -> None:
    with pytest.raises(InvariantError, match="published_at must be timezone-aware"):
        NewsItem(published_at=dt.datetime(2024, 3, 8, 15, 0), headline="Acme", source="test")


def test_news_item_refuses_an_empty_headline_and_a_bare_ticker_string() -> None:
    with pytest.raises(InvariantError, match="headline"):
        item(ny("2024-03-08 10:00"), headline="  ")
    with pytest.raises(InvariantError, match="tickers must be a tuple"):
        NewsItem(ny("2024-03-08 10:00"), "Acme", "test", tickers="ACME")  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match="upper-case"):
        NewsItem(ny("2024-03-08 10:00"), "Acme", "test", tickers=("acme",))


def test_news_item_is_frozen_and_keeps_its_names_as_tuples() -> None:
    news = NewsItem(ny("2024-03-08 10:00"), "Acme", "wire", tickers=["ACME"])  # type: ignore[arg-type]

    assert news.tickers == ("ACME",)
    with pytest.raises(AttributeError):
        news.headline = "changed"  # type: ignore[misc]


def test_static_feed_serves_the_half_open_window_oldest_first() -> None:
    late = item(ny("2024-03-08 12:00"), "late")
    early = item(ny("2024-03-08 09:00"), "early")
    edge = item(ny("2024-03-08 15:00"), "edge")
    feed = StaticNewsFeed([late, edge, early])

    got = feed.items(ny("2024-03-08 09:00"), ny("2024-03-08 15:00"))

    assert [n.headline for n in got] == ["early", "late"]


def test_static_feed_refuses_naive_bounds() -> None:
    with pytest.raises(InvariantError, match="start must be a timezone-aware"):
        StaticNewsFeed([]).items(dt.datetime(2024, 1, 1), ny("2024-01-02 00:00"))


# --- session alignment ---------------------------------------------------------------------


def test_one_second_before_the_close_counts_for_the_same_session(
    schedule: SessionSchedule,
) -> None:
    assert session(schedule, ny("2024-03-06 15:59:59")) == "2024-03-06"


def test_at_the_close_counts_for_the_next_session(schedule: SessionSchedule) -> None:
    assert session(schedule, ny("2024-03-06 16:00:00")) == "2024-03-07"


def test_before_the_open_counts_for_that_session(schedule: SessionSchedule) -> None:
    assert session(schedule, ny("2024-03-06 06:30")) == "2024-03-06"


def test_friday_evening_and_the_weekend_roll_to_monday(schedule: SessionSchedule) -> None:
    assert session(schedule, ny("2024-03-08 18:45")) == "2024-03-11"
    assert session(schedule, ny("2024-03-09 12:00")) == "2024-03-11"
    assert session(schedule, ny("2024-03-10 23:59")) == "2024-03-11"


def test_a_holiday_rolls_to_the_next_session(schedule: SessionSchedule) -> None:
    # Independence Day 2024 is a Thursday; the 3rd is a half day (close 13:00)
    assert session(schedule, ny("2024-07-04 11:00")) == "2024-07-05"
    assert session(schedule, ny("2024-07-03 13:30")) == "2024-07-05"


def test_early_close_day_after_thanksgiving_2017(schedule: SessionSchedule) -> None:
    assert session(schedule, ny("2017-11-23 12:00")) == "2017-11-24"  # Thanksgiving: closed
    assert session(schedule, ny("2017-11-24 12:59:59")) == "2017-11-24"
    assert session(schedule, ny("2017-11-24 13:00:00")) == "2017-11-27"  # the early close
    assert session(schedule, ny("2017-11-24 15:30")) == "2017-11-27"


def test_the_close_follows_new_york_time_across_dst_changes(schedule: SessionSchedule) -> None:
    # 20:30 UTC is 15:30 New York in winter (EST) and 16:30 in summer (EDT)
    before_spring = dt.datetime(2024, 3, 8, 20, 30, tzinfo=UTC)
    after_spring = dt.datetime(2024, 3, 11, 20, 30, tzinfo=UTC)
    before_fall = dt.datetime(2024, 11, 1, 20, 30, tzinfo=UTC)
    after_fall = dt.datetime(2024, 11, 4, 20, 30, tzinfo=UTC)

    assert session(schedule, before_spring) == "2024-03-08"
    assert session(schedule, after_spring) == "2024-03-12"
    assert session(schedule, before_fall) == "2024-11-04"
    assert session(schedule, after_fall) == "2024-11-04"


def test_alignment_refuses_naive_times_and_times_outside_the_schedule(
    schedule: SessionSchedule,
) -> None:
    with pytest.raises(InvariantError, match="published_at must be a timezone-aware"):
        schedule.align([dt.datetime(2024, 3, 8, 12, 0)])
    with pytest.raises(InvariantError, match="outside the schedule"):
        schedule.session_of(ny("2030-01-02 10:00"))


def test_covering_schedule_spans_items_and_sessions() -> None:
    news = [item(ny("2016-01-04 10:00"))]
    sessions = pd.DatetimeIndex(["2016-01-14"])

    covering = SessionSchedule.covering(news, sessions)

    assert covering.session_of(news[0].published_at) == pd.Timestamp("2016-01-04")
    assert pd.Timestamp("2016-01-14") in covering.sessions


# --- readers -------------------------------------------------------------------------------

CSV_GOOD = """published_at,headline,tickers,asset_classes,source,body
2024-03-08T15:59:59-05:00,Acme beats estimates,ACME,us_equity,wire,Strong quarter.
2024-03-08T21:00:00Z,"Fed signals cuts, yields fall",,us_bonds;us_equity,,

2024-03-09T10:00:00+00:00,Two tickers,acme;BETA,,wire,
"""


def test_csv_reader_reads_items_lists_and_default_source(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")

    items = read_news_csv(path)

    assert len(items) == 3
    first, second, third = items
    assert first.published_at == ny("2024-03-08 15:59:59")
    assert first.tickers == ("ACME",)
    assert first.body == "Strong quarter."
    assert second.headline == "Fed signals cuts, yields fall"
    assert second.asset_classes == ("us_bonds", "us_equity")
    assert second.source == "news.csv"
    assert second.body is None
    assert third.tickers == ("ACME", "BETA")


def test_csv_reader_names_file_line_and_field_of_a_naive_time(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text(
        "published_at,headline\n2024-03-08T10:00:00Z,ok\n2024-03-08 15:00,naive\n",
        encoding="utf-8",
    )

    with pytest.raises(DataFormatError) as caught:
        read_news_csv(path)

    message = str(caught.value)
    assert message.startswith("news.csv line 3: field 'published_at' has no timezone offset")
    assert "\n" not in message


def test_csv_reader_names_the_line_of_a_bad_time_and_a_missing_headline(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("published_at,headline\n2024-03-08T10:00:00Z,ok\nyesterday,bad\n")
    with pytest.raises(DataFormatError, match=r"feed\.csv line 3: field 'published_at' is not"):
        read_news_csv(path)
    path.write_text("published_at,headline\n2024-03-08T10:00:00Z,\n")
    with pytest.raises(DataFormatError, match=r"feed\.csv line 2: field 'headline' is missing"):
        read_news_csv(path)


def test_csv_reader_refuses_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("published_at,headline,mood\n2024-03-08T10:00:00Z,ok,happy\n")
    with pytest.raises(DataFormatError, match=r"news\.csv line 1: unknown columns \['mood'\]"):
        read_news_csv(path)
    path.write_text("headline\nok\n")
    with pytest.raises(DataFormatError, match=r"line 1: missing columns \['published_at'\]"):
        read_news_csv(path)


def test_jsonl_reader_reads_lists_and_names_the_bad_line(tmp_path: Path) -> None:
    good = {"published_at": "2024-03-08T16:00:00-05:00", "headline": "Acme", "tickers": ["ACME"]}
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(good) + "\n{not json\n")

    with pytest.raises(DataFormatError, match=r"news\.jsonl line 4: not valid JSON"):
        read_news_jsonl(path)

    path.write_text(json.dumps(good) + "\n")
    (only,) = read_news(path)
    assert only.tickers == ("ACME",)
    assert only.source == "news.jsonl"


def test_jsonl_reader_refuses_unknown_fields_and_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text('{"published_at": "2024-03-08T10:00:00Z", "headline": "x", "url": "u"}\n')
    with pytest.raises(DataFormatError, match=r"line 1: unknown fields \['url'\]"):
        read_news_jsonl(path)
    path.write_text('{"published_at": "2024-03-08T10:00:00Z", "headline": "x", "tickers": 5}\n')
    with pytest.raises(DataFormatError, match=r"line 1: field 'tickers' must be a list"):
        read_news_jsonl(path)


def test_readers_refuse_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"^absent\.csv: no such file$"):
        read_news(tmp_path / "absent.csv")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataFormatError, match=r"^empty\.jsonl: empty file$"):
        read_news(empty)
