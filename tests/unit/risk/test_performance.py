"""Performance metrics: hand-computed cases, invariants under scaling and deposits, bad input."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError
from microfolio.risk import (
    PerformanceSummary,
    drawdown,
    summarise,
    twr_index,
    twr_returns,
)

SQRT252 = math.sqrt(252)


def sessions(n: int, start: str = "2021-01-04") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n)


def account(returns: list[float], flows: list[float]) -> tuple[pd.Series, pd.Series]:
    """An account whose every dollar earns ``returns[t]`` on session t (flows at the start)."""
    values, previous = [], 0.0
    for r, f in zip(returns, flows, strict=True):
        previous = (previous + f) * (1.0 + r)
        values.append(previous)
    index = sessions(len(returns))
    return pd.Series(values, index=index), pd.Series(flows, index=index, dtype=float)


def same(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


RATIOS = ("total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown")


# --- hand-computed cases ------------------------------------------------------------------


def test_constant_portfolio_with_monthly_deposits_has_zero_return_and_zero_volatility() -> None:
    index = sessions(60)
    flows = pd.Series(0.0, index=index)
    flows.iloc[::20] = 500.0
    values = flows.cumsum()

    summary = summarise(values, flows)

    assert twr_returns(values, flows).abs().max() == 0.0
    assert summary.total_return == 0.0
    assert summary.cagr == 0.0
    assert summary.volatility == 0.0
    assert summary.max_drawdown == 0.0
    assert summary.max_drawdown_peak is None
    assert summary.max_drawdown_trough is None
    assert math.isnan(summary.sharpe)  # no risk: the ratio is undefined, not zero or infinite
    assert math.isnan(summary.sortino)
    assert summary.net_deposits == 1500.0
    assert summary.final_value == 1500.0
    assert summary.pnl == 0.0


def test_doubling_over_exactly_one_year_is_100_percent_cagr() -> None:
    start = pd.Timestamp("2020-01-01")
    index = pd.DatetimeIndex([start, start + pd.Timedelta(days=365.25)])
    values = pd.Series([100.0, 200.0], index=index)
    flows = pd.Series([100.0, 0.0], index=index)

    summary = summarise(values, flows)

    assert summary.total_return == pytest.approx(1.0)
    assert summary.cagr == pytest.approx(1.0)


def test_doubling_over_four_years_is_about_19_percent_a_year() -> None:
    index = pd.DatetimeIndex(["2020-01-01", "2024-01-01"])
    values = pd.Series([100.0, 200.0], index=index)
    flows = pd.Series([100.0, 0.0], index=index)

    assert summarise(values, flows).cagr == pytest.approx(2 ** (1 / 4) - 1, abs=1e-12)


def test_a_deposit_is_not_performance() -> None:
    # 100 grows 10 %, then 1000 is deposited and the whole account is flat
    index = sessions(3)
    values = pd.Series([100.0, 110.0, 1110.0], index=index)
    flows = pd.Series([100.0, 0.0, 1000.0], index=index)

    returns = twr_returns(values, flows)

    assert returns.tolist() == pytest.approx([0.0, 0.1, 0.0])
    assert summarise(values, flows).total_return == pytest.approx(0.1)


def test_drawdown_of_a_known_path() -> None:
    index = pd.Series([1.0, 1.2, 0.9, 1.0, 1.3, 1.04], index=sessions(6))

    result = drawdown(index)

    assert result.tolist() == pytest.approx([0.0, 0.0, -0.25, -1 / 6, 0.0, -0.2])
    assert result.index.equals(index.index)


def test_max_drawdown_reports_the_deepest_fall_with_its_peak_and_trough() -> None:
    values, flows = account([0.0, 0.2, -0.25, 1 / 9, 0.3, -0.2], [100, 0, 0, 0, 0, 0])

    summary = summarise(values, flows)

    assert summary.max_drawdown == pytest.approx(-0.25)
    assert summary.max_drawdown_peak == date(2021, 1, 5)
    assert summary.max_drawdown_trough == date(2021, 1, 6)


def test_a_loss_on_the_first_session_counts_as_drawdown_from_the_deposit() -> None:
    values, flows = account([-0.1, 0.05], [100, 0])

    summary = summarise(values, flows)

    assert summary.max_drawdown == pytest.approx(-0.1)
    assert summary.max_drawdown_peak == summary.start
    assert summary.max_drawdown_trough == date(2021, 1, 4)


def test_sortino_sharpe_and_volatility_on_a_known_series() -> None:
    daily = [0.02, -0.01, 0.03, -0.02]
    values, flows = account(daily, [100, 0, 0, 0])

    summary = summarise(values, flows)

    mean = 0.005
    downside = math.sqrt((0.01**2 + 0.02**2) / 4)  # below a 0 target, N = all sessions
    sd = math.sqrt(sum((r - mean) ** 2 for r in daily) / 3)
    assert summary.sortino == pytest.approx(mean / downside * SQRT252)
    assert summary.sortino == pytest.approx(7.0993, abs=1e-4)
    assert summary.sharpe == pytest.approx(mean / sd * SQRT252)
    assert summary.volatility == pytest.approx(sd * SQRT252)


def test_risk_free_rate_is_compounded_to_daily_and_subtracted() -> None:
    daily = [0.02, -0.01, 0.03, -0.02]
    values, flows = account(daily, [100, 0, 0, 0])

    summary = summarise(values, flows, risk_free=0.05)

    rf = 1.05 ** (1 / 252) - 1
    sd = float(np.std(daily, ddof=1))
    assert summary.sharpe == pytest.approx((0.005 - rf) / sd * SQRT252)
    assert summary.risk_free == 0.05


def test_sessions_before_the_first_deposit_are_left_out() -> None:
    values, flows = account([0.0, 0.0, 0.01, 0.02], [0, 0, 100, 0])
    values.iloc[:2] = 0.0

    returns = twr_returns(values, flows)
    summary = summarise(values, flows)

    assert returns.iloc[:2].isna().all()
    assert returns.iloc[2:].tolist() == pytest.approx([0.01, 0.02])
    assert summary.start == date(2021, 1, 6)
    assert summary.sessions == 2
    assert summary.total_return == pytest.approx(1.01 * 1.02 - 1)


def test_an_emptied_account_skips_the_empty_sessions_and_resumes() -> None:
    index = sessions(5)
    values = pd.Series([100.0, 110.0, 0.0, 50.0, 55.0], index=index)
    flows = pd.Series([100.0, 0.0, -110.0, 50.0, 0.0], index=index)

    returns = twr_returns(values, flows)

    assert math.isnan(returns.iloc[2])
    assert returns.drop(index[2]).tolist() == pytest.approx([0.0, 0.1, 0.0, 0.1])
    assert twr_index(returns).tolist() == pytest.approx([1.0, 1.1, 1.1, 1.1, 1.21])
    assert summarise(values, flows).total_return == pytest.approx(0.21)


def test_turnover_is_gross_traded_over_average_value_per_year_and_costs_are_bps() -> None:
    start = pd.Timestamp("2020-01-01")
    index = pd.DatetimeIndex([start, start + pd.Timedelta(days=365.25)])
    values = pd.Series([1000.0, 1000.0], index=index)
    flows = pd.Series([1000.0, 0.0], index=index)
    traded = pd.Series([1000.0, 1000.0], index=index)  # invest the deposit, then switch half
    costs = pd.Series([3.0, 2.0], index=index)

    summary = summarise(values, flows, traded=traded, costs=costs, trades=4)

    assert summary.turnover == pytest.approx(2.0)
    assert summary.total_costs == pytest.approx(5.0)
    assert summary.costs_bps == pytest.approx(50.0)
    assert summary.trades == 4


def test_without_traded_and_costs_those_numbers_are_undefined() -> None:
    values, flows = account([0.0, 0.01], [100, 0])

    summary = summarise(values, flows)

    assert math.isnan(summary.turnover)
    assert math.isnan(summary.total_costs)
    assert math.isnan(summary.costs_bps)


def test_to_dict_is_json_with_iso_dates_and_none_for_undefined() -> None:
    values, flows = account([0.0, 0.01234567891, -0.02], [1000.123, 0, 0])

    out = summarise(values, flows).to_dict()

    json.dumps(out, allow_nan=False)
    assert out["start"] == "2021-01-04"
    assert out["end"] == "2021-01-06"
    assert out["turnover"] is None
    assert out["net_deposits"] == 1000.12
    assert out["max_drawdown_trough"] == "2021-01-06"
    assert set(out) == {f.name for f in dataclasses.fields(PerformanceSummary)}


def test_summary_is_frozen_and_checks_its_invariants() -> None:
    values, flows = account([0.0, 0.01], [100, 0])
    summary = summarise(values, flows)

    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.cagr = 1.0  # type: ignore[misc]
    with pytest.raises(InvariantError, match="max_drawdown"):
        dataclasses.replace(summary, max_drawdown=0.5)
    with pytest.raises(InvariantError, match="end"):
        dataclasses.replace(summary, end=date(2000, 1, 1))


# --- invariants ---------------------------------------------------------------------------

# returns on a 1e-4 grid: either exactly equal (ratio undefined) or clearly different
daily_returns = st.integers(-1500, 1500).map(lambda k: k / 1e4)
deposits = st.one_of(st.just(0.0), st.floats(1.0, 1e4))


@st.composite
def accounts(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(2, 40))
    returns = draw(st.lists(daily_returns, min_size=n, max_size=n))
    flows = [draw(st.floats(1.0, 1e4)), *draw(st.lists(deposits, min_size=n - 1, max_size=n - 1))]
    return returns, flows


@settings(max_examples=150, deadline=None)
@given(accounts(), st.floats(1e-3, 1e3))
def test_scaling_values_and_flows_leaves_every_ratio_unchanged(
    case: tuple[list[float], list[float]], scale: float
) -> None:
    values, flows = account(*case)
    traded = values * 0.3
    costs = values * 1e-4

    base = summarise(values, flows, traded=traded, costs=costs)
    scaled = summarise(values * scale, flows * scale, traded=traded * scale, costs=costs * scale)

    for name in (*RATIOS, "turnover", "costs_bps"):
        # ratios are O(1): a mean of +-1e-17 noise over a real deviation is zero
        assert same(getattr(base, name), getattr(scaled, name), rel=1e-7, abs_=1e-9), name
    assert same(scaled.final_value, base.final_value * scale)
    assert same(scaled.net_deposits, base.net_deposits * scale)
    assert (scaled.max_drawdown_peak, scaled.max_drawdown_trough) == (
        base.max_drawdown_peak,
        base.max_drawdown_trough,
    )


@settings(max_examples=150, deadline=None)
@given(accounts(), st.data())
def test_a_deposit_invested_like_the_rest_leaves_every_daily_return_unchanged(
    case: tuple[list[float], list[float]], data: st.DataObject
) -> None:
    """If every dollar earns the same return r[t] on session t, a deposit D added on any
    session s changes no daily TWR return, hence no ratio."""
    returns, flows = case
    s = data.draw(st.integers(0, len(flows) - 1))
    extra = data.draw(st.floats(1.0, 1e5))
    more = [f + extra if t == s else f for t, f in enumerate(flows)]

    before = twr_returns(*account(returns, flows))
    after = twr_returns(*account(returns, more))

    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), rtol=1e-9, atol=1e-12)
    assert same(summarise(*account(returns, more)).cagr, summarise(*account(returns, flows)).cagr)


@settings(max_examples=150, deadline=None)
@given(accounts(), st.data())
def test_a_deposit_held_as_cash_is_never_performance(
    case: tuple[list[float], list[float]], data: st.DataObject
) -> None:
    """A deposit D at the start of session s that sits in cash (value + D from s on): every
    session's money P&L (V[t] - V[t-1] - F[t]) is unchanged, returns before s are unchanged, and
    returns from s on are diluted exactly: r'[t] = r[t] * B[t] / (B[t] + D). TWR itself is NOT
    unchanged (cash drag is real); what the deposit never does is add performance."""
    values, flows = account(*case)
    s = data.draw(st.integers(0, len(flows) - 1))
    extra = data.draw(st.floats(1.0, 1e5))
    held = values.copy()
    held.iloc[s:] += extra
    more = flows.copy()
    more.iloc[s] += extra

    def pnl(v: pd.Series, f: pd.Series) -> np.ndarray:
        return (v - v.shift(1, fill_value=0.0) - f).to_numpy()

    r, r_held = twr_returns(values, flows), twr_returns(held, more)
    base = (values.shift(1, fill_value=0.0) + flows).to_numpy()
    dilution = np.where(np.arange(len(base)) >= s, base / (base + extra), 1.0)

    np.testing.assert_allclose(pnl(held, more), pnl(values, flows), atol=1e-6)
    np.testing.assert_allclose(r_held.to_numpy(), r.to_numpy() * dilution, rtol=1e-6, atol=1e-9)
    assert summarise(held, more).pnl == pytest.approx(summarise(values, flows).pnl, abs=1e-6)


# --- invalid input ------------------------------------------------------------------------


Mutation = Callable[[pd.Series, pd.Series], tuple[Any, Any]]


def valid() -> tuple[pd.Series, pd.Series]:
    return account([0.0, 0.01, -0.02], [100, 0, 0])


def test_misaligned_flows_are_refused_with_the_dates() -> None:
    values, flows = valid()
    shifted = flows.copy()
    shifted.index = sessions(3, start="2021-01-05")

    with pytest.raises(DataFormatError, match=r"flows is misaligned .*2021-01-04"):
        summarise(values, shifted)
    with pytest.raises(
        DataFormatError, match="flows is misaligned with values: 2 sessions against 3"
    ):
        twr_returns(values, flows.iloc[:2])


def test_misaligned_traded_and_costs_are_refused() -> None:
    values, flows = valid()

    with pytest.raises(DataFormatError, match="traded is misaligned"):
        summarise(values, flows, traded=values.iloc[1:])
    with pytest.raises(DataFormatError, match="costs is misaligned"):
        summarise(values, flows, costs=values.iloc[1:])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v, f: (v.where(v.index != v.index[1], -5.0), f), r"values\[2021-01-05\] = -5"),
        (lambda v, f: (v, f.where(f.index != f.index[2], np.nan)), r"flows\[2021-01-06\].*finite"),
        (lambda v, f: (v.reset_index(drop=True), f.reset_index(drop=True)), "DatetimeIndex"),
        (lambda v, f: (v.iloc[::-1], f.iloc[::-1]), "not sorted"),
        (lambda v, f: (v.iloc[[0, 0, 1]], f.iloc[[0, 0, 1]]), "duplicate session 2021-01-04"),
        (lambda v, f: (v.iloc[:0], f.iloc[:0]), "values is empty"),
        (lambda v, f: (v, f.where(f.index != f.index[2], -500.0)), "withdraws more"),
        (lambda v, f: (v, f * 0.0), r"values\[2021-01-04\] = 100 with nothing at risk"),
        (lambda v, f: (v * 0.0, f * 0.0), "nothing to measure"),
        (lambda v, f: (v.astype(str) + "x", f), "numeric"),
        (lambda v, f: (v.tolist(), f), "pandas Series"),
    ],
)
def test_invalid_values_or_flows_are_refused(mutate: Mutation, message: str) -> None:
    values, flows = valid()
    bad_values, bad_flows = mutate(values, flows)

    with pytest.raises(DataFormatError, match=message) as caught:
        summarise(bad_values, bad_flows)
    assert isinstance(caught.value, MicrofolioError)


def test_negative_costs_trades_or_a_silly_risk_free_rate_are_refused() -> None:
    values, flows = valid()

    with pytest.raises(DataFormatError, match=r"costs\[2021-01-04\] = -1"):
        summarise(values, flows, costs=values * 0.0 - 1.0)
    with pytest.raises(DataFormatError, match="trades must be an int >= 0, got -1"):
        summarise(values, flows, trades=-1)
    with pytest.raises(DataFormatError, match="risk_free"):
        summarise(values, flows, risk_free=-1.0)
