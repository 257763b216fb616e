"""MarketData and MarketView: wide arrays, the session search, and what a view exposes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from microfolio.data import GatePolicy, MarketData, MarketView
from microfolio.errors import DataBlockedError, MicrofolioError, NotFoundError


@pytest.fixture
def market(make_bars, sessions) -> MarketData:
    bars = make_bars(tickers=("BBB", "AAA"), n=60)
    late = (bars["ticker"] == "BBB") & (bars["date"] < sessions[10])
    return MarketData.from_bars(bars[~late], GatePolicy(), sessions=sessions)


def test_market_holds_sorted_tickers_all_sessions_and_nan_before_listing(market, sessions) -> None:
    view = market.view(sessions[59])

    assert market.tickers.tolist() == ["AAA", "BBB"]
    assert market.sessions.equals(pd.DatetimeIndex(sessions[:60], name="date"))
    assert view.close.shape == (60, 2)
    assert view.close["BBB"].isna().sum() == 10
    assert view.close.dtypes.eq(np.float64).all()


def test_view_is_the_last_session_on_or_before_as_of(market, sessions) -> None:
    saturday = dt.date(2015, 1, 10)

    view = market.view(saturday)

    assert view.as_of == dt.date(2015, 1, 9)
    assert isinstance(view.as_of, dt.date)
    assert view.close.index[-1] == pd.Timestamp("2015-01-09")
    assert market.view("2099-01-01").as_of == sessions[59].date()
    assert market.view(pd.Timestamp("2015-01-09 15:30")).as_of == dt.date(2015, 1, 9)


def test_view_before_the_first_session_is_a_clear_error(market) -> None:
    with pytest.raises(
        NotFoundError, match=r"as_of 2014-12-31 is before the first session .*2015-01-02"
    ):
        market.view(dt.date(2014, 12, 31))


def test_last_is_the_as_of_row_indexed_by_ticker(market, sessions, make_bars) -> None:
    view = market.view(sessions[20])

    opens = view.last("open")

    assert opens.index.tolist() == ["AAA", "BBB"]
    pd.testing.assert_series_equal(opens, view.open.iloc[-1], check_names=False)
    assert isinstance(view, MarketView)


def test_view_frames_are_read_only_and_fields_are_checked(market, sessions) -> None:
    view = market.view(sessions[20])

    with pytest.raises(ValueError, match="read-only"):
        view.close.iloc[0, 0] = 1.0
    with pytest.raises(NotFoundError, match="field must be one of"):
        view.last("price")


def test_market_carries_the_gate_issues_and_version(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",), n=60)
    gapped = bars[bars["date"] != sessions[30]]

    market = MarketData.from_bars(gapped, sessions=sessions)

    assert [i.kind.value for i in market.issues] == ["gap"]
    assert len(market.sessions) == 60
    assert market.view(sessions[30]).last("volume")["AAA"] == 0.0
    assert market.data_version == market.gated.data_version


def test_market_refuses_blocked_data(make_bars, sessions) -> None:
    bars = make_bars(n=60)
    bars.loc[5, "close"] = -2.0

    with pytest.raises(DataBlockedError):
        MarketData.from_bars(bars, sessions=sessions)
    assert issubclass(NotFoundError, MicrofolioError)
