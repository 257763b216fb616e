"""The vectorised weights backtest: a hand-computed example, point in time, equivalences with
closed forms, the bundled ETFs, and bad input."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from microfolio.backtest import weights_backtest
from microfolio.data import GatePolicy, MarketData, load_bundled_bars
from microfolio.errors import DataFormatError, MicrofolioError, NotFoundError
from microfolio.risk import summarise

DAYS = pd.DatetimeIndex(["2021-03-01", "2021-03-02", "2021-03-03", "2021-03-04"])


def hand_returns() -> pd.DataFrame:
    return pd.DataFrame(
        {"A": [0.05, 0.10, -0.05, 0.02], "B": [-0.02, 0.00, 0.02, 0.01]}, index=DAYS
    )


def random_returns(n: int, tickers: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2019-01-01", periods=n)
    return pd.DataFrame(rng.normal(0.0004, 0.01, (n, len(tickers))), index=index, columns=tickers)


# --- the hand-computed example ----------------------------------------------------------------


def test_two_assets_three_days_by_hand_to_the_cent() -> None:
    # $10,000; 60/40 A/B at the close of Mar 1 (Mar 1 returns not earned), 10 bps one-way:
    #   Mar 1: buy 10,000 of A and B, cost 10.00                          -> 9,990.00
    #   Mar 2: A 5,994.00 * 1.10 = 6,593.40, B 3,996.00 * 1.00 = 3,996.00  -> 10,589.40
    #   Mar 3: A 6,263.73, B 4,075.92                                       -> 10,339.65
    #          drifted to 60.5797 / 39.4203 %; target 50 / 30 / cash 20: sell 10.58 % of A and
    #          9.42 % of B, cost 10 bps * 20 % = 0.0002 * 10,339.65 = 2.07          -> 10,337.58
    #   Mar 4: A 5,168.79 * 1.02 + B 3,101.27 * 1.01 + cash 2,067.52          -> 10,471.97
    result = weights_backtest(
        hand_returns(),
        {"2021-03-01": pd.Series({"A": 0.6, "B": 0.4}), "2021-03-03": {"A": 0.5, "B": 0.3}},
        cost_bps=10.0,
    )

    wealth = [round(v, 2) for v in result.wealth(10_000.0)]
    assert wealth == [9_990.00, 10_589.40, 10_337.58, 10_471.97]
    assert result.gross_returns.iloc[:3].tolist() == pytest.approx([0.0, 0.06, -0.0235849056])
    assert list(result.drifted.to_numpy()[1]) == pytest.approx(
        [6_263.73 / 10_339.65, 4_075.92 / 10_339.65]
    )
    assert result.turnover.tolist() == pytest.approx([1.0, 0.2])  # one-way, cash included
    assert result.costs.tolist() == pytest.approx([0.001, 0.0002])
    assert result.cash.tolist() == pytest.approx([0.0, 0.2])
    assert result.weights.columns.tolist() == ["A", "B"]


def test_summary_of_the_hand_example() -> None:
    result = weights_backtest(
        hand_returns(), {"2021-03-01": {"A": 0.6, "B": 0.4}, "2021-03-03": {"A": 0.5, "B": 0.3}}
    )

    summary = result.summary()

    assert summary.total_return == pytest.approx(10_471.9706 / 10_000 - 1, abs=1e-8)
    assert summary.hit_rate_days == pytest.approx(2 / 3)  # Mar 2 and Mar 4 up, Mar 3 down
    assert summary.hit_rate_months == 1.0
    assert summary.max_drawdown == pytest.approx(10_337.5821 / 10_589.40 - 1, abs=1e-8)
    years = 3 / 365.25
    assert summary.turnover == pytest.approx(0.2 / years)  # the first purchase left out
    assert summary.costs == pytest.approx(0.0012 / years)
    assert (summary.rebalances, summary.sessions) == (2, 4)


def test_summary_figures_are_those_of_summarise_on_the_wealth_index() -> None:
    returns = random_returns(300, ["A", "B", "C"], seed=4)
    targets = {d: {"A": 0.5, "B": 0.2, "C": 0.2} for d in returns.index[::21]}
    result = weights_backtest(returns, targets, cost_bps=5.0, cash_rate=0.03)
    flows = pd.Series(0.0, index=result.returns.index)
    flows.iloc[0] = 1.0

    expected = summarise(result.wealth(), flows, risk_free=0.03)
    summary = result.summary()

    for name in ("total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown"):
        assert getattr(summary, name) == getattr(expected, name), name


# --- point in time ------------------------------------------------------------------------------


def test_a_target_dated_t_does_not_earn_the_return_of_t() -> None:
    returns = random_returns(60, ["A", "B"], seed=1)
    t = returns.index[20]
    targets = {t: {"A": 0.7, "B": 0.3}, returns.index[40]: {"A": 0.2, "B": 0.8}}
    perturbed = returns.copy()
    perturbed.loc[:t] = perturbed.loc[:t] * -3.0 + 0.05  # the target date and everything before

    base = weights_backtest(returns, targets)
    moved = weights_backtest(perturbed, targets)

    pd.testing.assert_series_equal(base.returns, moved.returns)
    pd.testing.assert_series_equal(base.turnover, moved.turnover)


def test_a_rebalance_day_return_is_earned_by_the_weights_held_into_it() -> None:
    returns = random_returns(30, ["A", "B"], seed=2)
    t1, t2 = returns.index[5], returns.index[15]
    targets = {t1: {"A": 1.0}, t2: {"B": 1.0}}  # hold A into t2, then switch to B at its close
    base = weights_backtest(returns, targets)

    b_at_t2 = returns.copy()
    b_at_t2.loc[t2, "B"] += 0.10
    a_at_t2 = returns.copy()
    a_at_t2.loc[t2, "A"] += 0.10

    pd.testing.assert_series_equal(weights_backtest(b_at_t2, targets).returns, base.returns)
    assert weights_backtest(a_at_t2, targets).gross_returns[t2] == pytest.approx(
        base.gross_returns[t2] + 0.10
    )


# --- equivalences with closed forms ---------------------------------------------------------------


def test_daily_rebalanced_constant_weights_without_costs_earn_the_weighted_sum() -> None:
    returns = random_returns(120, ["A", "B", "C"], seed=3)
    weights = pd.Series({"A": 0.5, "B": 0.3, "C": 0.1})  # 10 % cash
    cash_rate = 0.02
    cash_daily = (1 + cash_rate) ** (1 / 252) - 1

    result = weights_backtest(
        returns, dict.fromkeys(returns.index, weights), cost_bps=0.0, cash_rate=cash_rate
    )

    expected = returns.iloc[1:] @ weights + 0.1 * cash_daily
    np.testing.assert_allclose(result.returns.iloc[1:], expected, rtol=0, atol=1e-15)
    assert result.returns.iloc[0] == 0.0


def test_buy_and_hold_drifts_with_returns() -> None:
    returns = random_returns(250, ["A", "B"], seed=5)
    start = returns.index[0]

    result = weights_backtest(returns, {start: {"A": 0.7, "B": 0.2}}, cost_bps=0.0)

    growth = (1 + returns.iloc[1:]).prod()
    assert result.wealth().iloc[-1] == pytest.approx(0.7 * growth["A"] + 0.2 * growth["B"] + 0.1)


def test_switching_funds_is_one_way_turnover_one_and_pays_both_legs() -> None:
    returns = random_returns(10, ["A", "B"], seed=6)
    days = returns.index

    result = weights_backtest(returns, {days[0]: {"A": 1.0}, days[5]: {"B": 1.0}}, cost_bps=10)

    assert result.turnover.tolist() == pytest.approx([1.0, 1.0])
    assert result.costs.tolist() == pytest.approx([0.001, 0.002])
    assert result.returns[days[5]] == pytest.approx((1 + result.gross_returns[days[5]]) * 0.998 - 1)


def test_targets_as_a_frame_equal_targets_as_a_mapping() -> None:
    returns = random_returns(80, ["A", "B", "C"], seed=7)
    days = returns.index[[3, 30, 60]]
    frame = pd.DataFrame(
        {"A": [0.5, 0.2, np.nan], "B": [0.5, np.nan, 0.4], "C": [np.nan, 0.8, 0.6]}, index=days
    )
    mapping = {d: row.dropna() for d, row in frame.iterrows()}

    pd.testing.assert_series_equal(
        weights_backtest(returns, frame).returns, weights_backtest(returns, mapping).returns
    )


def test_untraded_days_count_flat_only_when_asked() -> None:
    returns = random_returns(20, ["A", "B"], seed=8)
    returns.iloc[:3, 1] = np.nan  # B not listed yet: before the start, ignored
    returns.iloc[12, 1] = np.nan  # a held day with no return
    targets = {returns.index[3]: {"A": 0.5, "B": 0.5}}

    with pytest.raises(DataFormatError, match=r"returns\[B\] is NaN on 2019-01-17 while weight"):
        weights_backtest(returns, targets)
    flat = weights_backtest(returns, targets, missing="zero")

    pd.testing.assert_series_equal(
        flat.returns, weights_backtest(returns.fillna(0.0), targets).returns
    )


def test_nan_on_a_ticker_not_held_is_fine() -> None:
    returns = random_returns(20, ["A", "B"], seed=9)
    returns.iloc[10, 1] = np.nan

    result = weights_backtest(returns, {returns.index[0]: {"A": 1.0}})

    assert result.returns.notna().all()


# --- the bundled ETFs ----------------------------------------------------------------------------


def test_equal_weight_bundled_etfs_monthly_2010_to_2017_gives_a_finite_sharpe() -> None:
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    returns = market.view("2017-11-10").close.pct_change()
    window = returns.loc["2010-01-01":"2017-10-31"]
    month_ends = window.groupby(pd.DatetimeIndex(window.index).to_period("M")).tail(1).index
    targets = {}
    for day in month_ends:  # equal weight on what traded that day: known at its close
        listed = returns.columns[returns.loc[day].notna()]
        targets[day] = pd.Series(1.0 / len(listed), index=listed)

    result = weights_backtest(returns, targets, cost_bps=10.0)
    summary = result.summary()

    assert len(targets) == 94
    assert result.returns.notna().all()
    assert math.isfinite(summary.sharpe)
    assert 0.0 < summary.sharpe < 2.0
    assert 0.02 < summary.volatility < 0.25
    assert -0.5 < summary.max_drawdown < 0.0
    assert 0.0 < summary.turnover < 1.0
    assert 0.5 < summary.hit_rate_days < 0.65
    assert result.weights.sum(axis=1).to_numpy() == pytest.approx(1.0)


# --- bad input -----------------------------------------------------------------------------------


def test_target_dated_off_session_is_refused_naming_the_next_session() -> None:
    with pytest.raises(DataFormatError, match=r"2021-02-27 is not a session .*next session 2021"):
        weights_backtest(hand_returns(), {"2021-02-27": {"A": 1.0}})
    with pytest.raises(DataFormatError, match=r"2021-03-05 is not a session .*after the last"):
        weights_backtest(hand_returns(), {"2021-03-05": {"A": 1.0}})


def test_unknown_ticker_is_refused() -> None:
    with pytest.raises(NotFoundError, match=r"targets\[2021-03-01\] has ticker 'ZZZ'"):
        weights_backtest(hand_returns(), {"2021-03-01": {"A": 0.5, "ZZZ": 0.5}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cost_bps": -1.0}, "cost_bps must be finite and >= 0, got -1.0"),
        ({"cash_rate": float("nan")}, "cash_rate must be a finite annual rate"),
        ({"missing": "ffill"}, "missing must be 'raise' or 'zero', got 'ffill'"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        weights_backtest(hand_returns(), {"2021-03-01": {"A": 1.0}}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({}, "targets is empty"),
        ({"2021-03-01": {"A": float("nan")}}, r"targets\[2021-03-01\]\[A\] = nan is not a finite"),
        ({"2021-03-01": 0.5}, r"must be weights by ticker"),
        ({"2021-03-01": {"A": 1.0}, pd.Timestamp("2021-03-01"): {"B": 1.0}}, "twice"),
        ({"not a date": {"A": 1.0}}, "is not a date"),
    ],
)
def test_bad_targets_are_refused(targets: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        weights_backtest(hand_returns(), targets)  # type: ignore[arg-type]


def test_bad_returns_are_refused() -> None:
    unsorted = hand_returns().iloc[::-1]
    with pytest.raises(DataFormatError, match="not sorted"):
        weights_backtest(unsorted, {"2021-03-01": {"A": 1.0}})
    with pytest.raises(DataFormatError, match="must be a pandas DataFrame, got Series"):
        weights_backtest(hand_returns()["A"], {"2021-03-01": {"A": 1.0}})  # type: ignore[arg-type]
    broken = hand_returns()
    broken.loc["2021-03-02", "A"] = -1.5
    with pytest.raises(DataFormatError, match=r"returns\[A\] = -1.5 on 2021-03-02"):
        weights_backtest(broken, {"2021-03-01": {"A": 1.0}})


def test_leverage_that_loses_everything_is_refused() -> None:
    crash = hand_returns()
    crash.loc["2021-03-02", "A"] = -0.6

    with pytest.raises(DataFormatError, match="worth nothing on 2021-03-02"):
        weights_backtest(crash, {"2021-03-01": {"A": 2.0}})


def test_errors_are_one_line_and_the_result_is_frozen() -> None:
    with pytest.raises(MicrofolioError) as caught:
        weights_backtest(hand_returns(), {"2021-03-06": {"A": 1.0}})
    result = weights_backtest(hand_returns(), {"2021-03-01": {"A": 1.0}})

    assert "\n" not in str(caught.value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cost_bps = 0.0  # type: ignore[misc]
