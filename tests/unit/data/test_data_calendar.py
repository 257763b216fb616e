"""XNYS sessions: holidays and weekends are closed, old history works, ranges are inclusive."""

from __future__ import annotations

import pandas as pd
import pytest

from microfolio.data import xnys_sessions
from microfolio.errors import DataFormatError


def test_sessions_skip_weekends_and_holidays_and_include_both_ends() -> None:
    sessions = xnys_sessions("2016-01-14", "2016-01-20")

    assert [d.strftime("%m-%d") for d in sessions] == ["01-14", "01-15", "01-19", "01-20"]
    assert sessions.dtype == "datetime64[ns]"


def test_history_before_2006_and_unusual_closures_are_known() -> None:
    sessions = xnys_sessions("1995-01-02", "2012-12-31")

    assert sessions[0] == pd.Timestamp("1995-01-03")
    assert pd.Timestamp("2001-09-11") not in sessions  # closed after the attacks
    assert pd.Timestamp("2012-10-29") not in sessions  # closed for hurricane Sandy


def test_a_range_without_sessions_is_empty_and_a_reversed_one_is_refused() -> None:
    assert len(xnys_sessions("2016-01-09", "2016-01-10")) == 0
    with pytest.raises(DataFormatError, match="before its start"):
        xnys_sessions("2016-01-10", "2016-01-09")
