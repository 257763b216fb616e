"""Long <-> wide conversions and the canonical long form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import canonical_long, long_to_wide, wide_to_long
from microfolio.data.frames import is_canonical, long_to_arrays
from microfolio.errors import DataFormatError


def test_long_to_wide_puts_nan_where_a_ticker_has_no_bar(make_bars, sessions) -> None:
    bars = make_bars(n=10)
    late = bars[~((bars["ticker"] == "BBB") & (bars["date"] < sessions[4]))]

    wide = long_to_wide(late, "close")

    assert list(wide.columns) == ["AAA", "BBB"]
    assert wide.index.equals(pd.DatetimeIndex(sessions[:10], name="date"))
    assert wide["BBB"].isna().sum() == 4
    assert wide["AAA"].notna().all()


def test_wide_to_long_and_back_round_trips_the_closes(make_bars) -> None:
    wide = long_to_wide(make_bars(n=15), "close")

    back = long_to_wide(wide_to_long(wide), "close")

    pd.testing.assert_frame_equal(back, wide, check_freq=False)


def test_canonical_long_sorts_by_ticker_then_date_and_is_idempotent(make_bars) -> None:
    shuffled = make_bars(n=10).sample(frac=1.0, random_state=5).reset_index(drop=True)

    once = canonical_long(shuffled)

    assert is_canonical(once)
    assert canonical_long(once) is once
    assert once["ticker"].is_monotonic_increasing
    assert (once.groupby("ticker")["date"].diff().dropna() > pd.Timedelta(0)).all()


def test_arrays_refuse_repeated_dates(make_bars) -> None:
    bars = make_bars(n=5)
    twice = pd.concat([bars, bars.iloc[[0]]], ignore_index=True)

    with pytest.raises(DataFormatError, match="repeat a \\(ticker, date\\)"):
        long_to_arrays(twice)


def test_wide_refuses_duplicate_tickers_and_frames_without_prices() -> None:
    dates = pd.date_range("2016-01-04", periods=3)
    dup = pd.DataFrame({"date": dates, "aaa": [1.0, 2, 3], "AAA": [1.0, 2, 3]})

    with pytest.raises(DataFormatError, match="duplicate columns aaa"):
        wide_to_long(dup)
    with pytest.raises(DataFormatError, match="no price columns"):
        wide_to_long(pd.DataFrame({"date": dates}))


def test_timezone_aware_and_timed_dates_become_midnight_dates() -> None:
    stamps = pd.to_datetime(["2016-01-04 16:00", "2016-01-05 16:00"]).tz_localize("US/Eastern")
    frame = pd.DataFrame({"date": stamps, "ticker": "aaa", "close": [1.0, 2.0]})

    got = canonical_long(frame)

    assert got["date"].tolist() == [pd.Timestamp("2016-01-04"), pd.Timestamp("2016-01-05")]
    assert got["date"].dtype == np.dtype("datetime64[ns]")


def test_a_date_and_ticker_index_is_read_as_columns(make_bars) -> None:
    bars = make_bars(n=5)

    got = canonical_long(bars.set_index(["date", "ticker"]))

    pd.testing.assert_frame_equal(got, canonical_long(bars))
