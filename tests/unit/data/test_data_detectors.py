"""Each issue kind on small hand-made frames, through find_issues under the default policy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from microfolio.data import DataIssue, GateAction, IssueKind, find_issues

PRICES = ["open", "high", "low", "close"]


def of_kind(issues: tuple[DataIssue, ...], kind: IssueKind) -> list[DataIssue]:
    return [i for i in issues if i.kind is kind]


def day(sessions: pd.DatetimeIndex, i: int) -> dt.date:
    return sessions[i].date()


def test_clean_synthetic_bars_have_no_findings(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA", "BBB", "CCC"))

    issues = find_issues(bars, sessions=sessions)

    assert issues == ()


def test_zero_and_negative_prices_are_non_positive_and_block(make_bars, sessions, row) -> None:
    bars = make_bars()
    bars.loc[row(bars, "AAA", sessions[50]), "close"] = 0.0
    bars.loc[row(bars, "BBB", sessions[80]), "open"] = -1.0

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.NON_POSITIVE)

    assert [(i.ticker, i.date) for i in found] == [
        ("AAA", day(sessions, 50)),
        ("BBB", day(sessions, 80)),
    ]
    assert all(i.blocking for i in found)
    assert found[0].detail == "close = 0"


def test_a_nan_price_is_missing_but_a_nan_volume_is_not(make_bars, sessions, row) -> None:
    bars = make_bars()
    bars.loc[row(bars, "BBB", sessions[60]), "high"] = np.nan
    bars.loc[row(bars, "AAA", sessions[61]), "volume"] = np.nan

    issues = find_issues(bars, sessions=sessions)

    assert [(i.kind, i.ticker, i.date, i.detail) for i in issues] == [
        (IssueKind.MISSING, "BBB", day(sessions, 60), "no high")
    ]
    assert issues[0].blocking


def test_repeated_rows_are_one_duplicate_finding_per_date(make_bars, sessions, row) -> None:
    bars = make_bars()
    same = bars.loc[[row(bars, "AAA", sessions[10])]]
    changed = bars.loc[[row(bars, "BBB", sessions[20])]].assign(close=lambda f: f["close"] + 1)
    bars = pd.concat([bars, same, same, changed], ignore_index=True)

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.DUPLICATE)

    assert [(i.ticker, i.date, i.detail) for i in found] == [
        ("AAA", day(sessions, 10), "3 rows for one date (identical values)"),
        ("BBB", day(sessions, 20), "2 rows for one date (different values)"),
    ]
    assert all(i.blocking for i in found)


def test_ohlc_rounding_within_tolerance_passes_but_a_high_below_the_low_blocks(
    make_bars, sessions, row
) -> None:
    bars = make_bars()
    rounded = row(bars, "AAA", sessions[30])
    bars.loc[rounded, "low"] = bars.loc[rounded, ["open", "close"]].min() * 1.0005
    crossed = row(bars, "BBB", sessions[40])
    bars.loc[crossed, "high"] = bars.loc[crossed, "low"] * 0.9

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.OHLC_INCONSISTENT)

    assert [(i.ticker, i.date) for i in found] == [("BBB", day(sessions, 40))]
    assert found[0].blocking
    assert "above high" in found[0].detail


@pytest.mark.parametrize(
    ("length", "expected"),
    [(4, None), (5, False), (9, False), (10, True)],
    ids=["4-not-reported", "5-warned", "9-warned", "10-blocks"],
)
def test_stale_runs_are_reported_from_5_sessions_and_block_from_10(
    make_bars, sessions, length: int, expected: bool | None
) -> None:
    bars = make_bars()
    run = bars.index[bars["ticker"] == "AAA"][100 : 100 + length]
    bars.loc[run, PRICES] = 42.0

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.STALE)

    if expected is None:
        assert found == []
    else:
        assert [(i.ticker, i.date, i.blocking) for i in found] == [
            ("AAA", day(sessions, 100), expected)
        ]
        assert f"for {length} sessions" in found[0].detail


def test_short_gaps_are_repaired_and_long_gaps_warned(make_bars, sessions) -> None:
    bars = make_bars()
    short = (bars["ticker"] == "AAA") & bars["date"].isin(sessions[[70, 71]])
    long = (bars["ticker"] == "BBB") & bars["date"].isin(sessions[200:208])
    bars = bars[~(short | long)]

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.GAP)

    assert [(i.ticker, i.date, i.action) for i in found] == [
        ("AAA", day(sessions, 70), GateAction.REPAIR),
        ("BBB", day(sessions, 200), GateAction.WARN),
    ]
    assert found[0].detail.startswith("2 XNYS sessions missing")
    assert "not filled" in found[1].detail
    assert not any(i.blocking for i in found)


def test_a_bar_on_a_saturday_is_off_calendar(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",))
    saturday = bars.iloc[[5]].assign(date=pd.Timestamp("2015-01-10"))
    bars = pd.concat([bars, saturday], ignore_index=True)

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.OFF_CALENDAR)

    assert [(i.ticker, i.date, i.blocking) for i in found] == [("AAA", dt.date(2015, 1, 10), False)]
    assert "Saturday" in found[0].detail


def _spike(bars: pd.DataFrame, at: int, factor: float, volume_factor: float = 1.0) -> None:
    index = bars.index[bars["ticker"] == "AAA"][at]
    bars.loc[index, PRICES] *= factor
    bars.loc[index, "volume"] *= volume_factor


def test_a_one_day_spike_with_ordinary_volume_is_a_blocking_outlier(make_bars, sessions) -> None:
    bars = make_bars()
    _spike(bars, 150, 1.5)

    issues = find_issues(bars, sessions=sessions)

    assert [(i.kind, i.ticker, i.date, i.blocking) for i in issues] == [
        (IssueKind.OUTLIER, "AAA", day(sessions, 150), True)
    ]
    assert "back the next session" in issues[0].detail
    assert "does not confirm" in issues[0].detail


def test_a_move_on_heavy_volume_is_a_confirmed_warning(make_bars, sessions) -> None:
    bars = make_bars()
    later = bars.index[(bars["ticker"] == "AAA")][150:]
    bars.loc[later, PRICES] *= 1.3
    bars.loc[later[0], "volume"] *= 4.0

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.OUTLIER)

    assert [(i.ticker, i.date, i.blocking) for i in found] == [("AAA", day(sessions, 150), False)]
    assert "confirms" in found[0].detail


def test_no_volume_confirms_a_100x_spike(make_bars, sessions) -> None:
    bars = make_bars()
    _spike(bars, 150, 100.0, volume_factor=5.0)

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.OUTLIER)

    assert [(i.ticker, i.date, i.blocking) for i in found] == [("AAA", day(sessions, 150), True)]


def test_without_volume_an_extreme_move_cannot_be_confirmed(make_bars, sessions) -> None:
    bars = make_bars().assign(volume=np.nan)
    _spike(bars, 150, 1.5)

    found = of_kind(find_issues(bars, sessions=sessions), IssueKind.OUTLIER)

    assert [(i.ticker, i.date, i.blocking) for i in found] == [("AAA", day(sessions, 150), True)]
    assert "no volume data to confirm it" in found[0].detail


def test_a_halving_that_holds_is_split_like_and_blocks_even_on_volume(make_bars, sessions) -> None:
    bars = make_bars()
    later = bars.index[bars["ticker"] == "BBB"][120:]
    bars.loc[later, PRICES] /= 2.0
    bars.loc[later[0], "volume"] *= 3.0

    issues = find_issues(bars, sessions=sessions)

    assert [(i.kind, i.ticker, i.date, i.blocking) for i in issues] == [
        (IssueKind.SPLIT_LIKE, "BBB", day(sessions, 120), True)
    ]
    assert "near 1/2" in issues[0].detail


def test_a_tenfold_drop_that_comes_back_is_one_outlier_not_a_split(make_bars, sessions) -> None:
    bars = make_bars()
    episode = bars.index[bars["ticker"] == "BBB"][120:123]
    bars.loc[episode, PRICES] /= 10.0

    issues = find_issues(bars, sessions=sessions)

    assert [(i.kind, i.ticker, i.date, i.blocking) for i in issues] == [
        (IssueKind.OUTLIER, "BBB", day(sessions, 120), True)
    ]
    assert "back after 3 sessions" in issues[0].detail


def test_issues_are_sorted_by_ticker_then_date(make_bars, sessions, row) -> None:
    bars = make_bars()
    bars.loc[row(bars, "BBB", sessions[5]), "close"] = 0.0
    bars.loc[row(bars, "AAA", sessions[9]), "close"] = np.nan
    bars.loc[row(bars, "AAA", sessions[3]), "close"] = np.nan

    issues = find_issues(bars, sessions=sessions)

    assert [(i.ticker, i.date) for i in issues] == [
        ("AAA", day(sessions, 3)),
        ("AAA", day(sessions, 9)),
        ("BBB", day(sessions, 5)),
    ]
