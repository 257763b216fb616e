"""apply_gate: block, repair, drop_ticker and warn, on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import GateAction, GatePolicy, IssueKind, apply_gate, data_version
from microfolio.errors import DataBlockedError

PRICES = ["open", "high", "low", "close"]


def test_a_blocking_issue_stops_the_data_with_one_line(make_bars, sessions, row) -> None:
    bars = make_bars()
    bars.loc[row(bars, "AAA", sessions[50]), "close"] = 0.0
    bars.loc[row(bars, "BBB", sessions[51]), "low"] = np.nan

    with pytest.raises(DataBlockedError) as caught:
        apply_gate(bars, sessions=sessions)

    assert str(caught.value) == (
        f"data blocked by 2 issues: non_positive AAA {sessions[50].date()}, "
        f"missing BBB {sessions[51].date()}"
    )


def test_clean_bars_pass_unchanged_with_their_version(make_bars, sessions) -> None:
    bars = make_bars()

    gated = apply_gate(bars, sessions=sessions)

    assert gated.issues == ()
    assert gated.dropped == ()
    assert gated.data_version == data_version(bars)
    assert gated.source_version == data_version(bars)
    np.testing.assert_array_equal(gated.bars["close"], bars["close"])


def test_a_short_gap_is_filled_with_the_previous_close_and_zero_volume(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",))
    missing = sessions[[70, 71]]
    gapped = bars[~bars["date"].isin(missing)]

    gated = apply_gate(gapped, sessions=sessions)

    filled = gated.bars[gated.bars["date"].isin(missing)]
    previous_close = bars.loc[bars["date"] == sessions[69], "close"].item()
    assert len(gated.bars) == len(bars)
    assert (filled[PRICES] == previous_close).all().all()
    assert (filled["volume"] == 0).all()
    assert [(i.kind, i.action) for i in gated.repaired] == [(IssueKind.GAP, GateAction.REPAIR)]
    assert "[repaired: previous close carried forward, volume 0]" in gated.issues[0].detail
    assert gated.source_version == data_version(gapped)
    assert gated.data_version == data_version(gated.bars) != gated.source_version


def test_a_gap_longer_than_a_week_is_left_and_warned(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",))
    gapped = bars[~bars["date"].isin(sessions[100:110])]

    gated = apply_gate(gapped, sessions=sessions)

    assert len(gated.bars) == len(gapped)
    assert [(i.kind, i.action) for i in gated.warnings] == [(IssueKind.GAP, GateAction.WARN)]


def test_gated_bars_pass_the_gate_again_without_repairs(make_bars, sessions) -> None:
    bars = make_bars()
    gated = apply_gate(bars[~bars["date"].isin(sessions[[30, 31]])], sessions=sessions)

    again = apply_gate(gated.bars, sessions=sessions)

    assert again.issues == ()
    assert again.data_version == gated.data_version


def test_repair_keeps_the_last_duplicate_and_widens_inconsistent_bars(
    make_bars, sessions, row
) -> None:
    bars = make_bars(tickers=("AAA",))
    first = row(bars, "AAA", sessions[10])
    later_copy = bars.loc[[first]].assign(close=bars.loc[first, "close"] * 1.001)
    bars = pd.concat([bars, later_copy], ignore_index=True)
    crossed = row(bars, "AAA", sessions[20])
    bars.loc[crossed, "high"] = bars.loc[crossed, "low"] * 0.99
    policy = GatePolicy(duplicate=GateAction.REPAIR, ohlc_inconsistent=GateAction.REPAIR)

    gated = apply_gate(bars, policy, sessions=sessions)

    kept = gated.bars[gated.bars["date"] == sessions[10]]
    widened = gated.bars[gated.bars["date"] == sessions[20]].iloc[0]
    assert len(kept) == 1
    assert kept["close"].item() == later_copy["close"].item()
    assert widened["high"] == max(widened[p] for p in PRICES)
    assert widened["low"] == min(widened[p] for p in PRICES)
    assert {i.kind for i in gated.repaired} == {IssueKind.DUPLICATE, IssueKind.OHLC_INCONSISTENT}


def test_repair_carries_the_close_into_bad_bars_and_drops_a_bad_first_bar(
    make_bars, sessions, row
) -> None:
    bars = make_bars(tickers=("AAA",))
    bars.loc[row(bars, "AAA", sessions[0]), "close"] = np.nan
    bars.loc[row(bars, "AAA", sessions[40]), ["open", "close"]] = [0.0, -1.0]
    policy = GatePolicy(missing=GateAction.REPAIR, non_positive=GateAction.REPAIR)

    gated = apply_gate(bars, policy, sessions=sessions)

    repaired = gated.bars[gated.bars["date"] == sessions[40]].iloc[0]
    previous = bars.loc[row(bars, "AAA", sessions[39]), "close"]
    assert gated.bars["date"].iloc[0] == sessions[1]
    assert [repaired[p] for p in PRICES] == [previous] * 4
    assert repaired["volume"] == 0.0


def test_off_calendar_repair_drops_the_bar(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",))
    sunday = bars.iloc[[3]].assign(date=pd.Timestamp("2015-01-11"))
    policy = GatePolicy(off_calendar=GateAction.REPAIR)

    gated = apply_gate(pd.concat([bars, sunday]), policy, sessions=sessions)

    assert len(gated.bars) == len(bars)
    assert gated.repaired[0].kind is IssueKind.OFF_CALENDAR


def test_drop_ticker_removes_the_ticker_and_records_it(make_bars, sessions, row) -> None:
    bars = make_bars(tickers=("AAA", "BBB"))
    bars.loc[row(bars, "BBB", sessions[33]), "close"] = 0.0
    policy = GatePolicy(non_positive=GateAction.DROP_TICKER)

    gated = apply_gate(bars, policy, sessions=sessions)

    assert gated.bars["ticker"].unique().tolist() == ["AAA"]
    assert gated.dropped == ("BBB",)
    assert gated.issues[0].action is GateAction.DROP_TICKER
    assert not gated.issues[0].blocking
    assert gated.issues[0].detail.endswith("[ticker dropped]")


def test_warn_lets_the_data_through_unchanged(make_bars, sessions) -> None:
    bars = make_bars(tickers=("AAA",))
    spike = bars.index[160]
    bars.loc[spike, PRICES] *= 1.6
    policy = GatePolicy(outlier=GateAction.WARN)

    gated = apply_gate(bars, policy, sessions=sessions)

    assert [(i.kind, i.blocking) for i in gated.warnings] == [(IssueKind.OUTLIER, False)]
    assert gated.bars.loc[spike, "close"] == bars.loc[spike, "close"]
