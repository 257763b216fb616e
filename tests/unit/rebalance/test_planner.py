from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import (
    Account,
    ReasonKind,
    SequentialIds,
    Side,
    TargetPortfolio,
)
from microfolio.rebalance import Holdings, Planner, RebalancePolicy

SESSION = date(2020, 3, 2)
PRICES = {"A": 100.0, "B": 50.0}
TARGET = TargetPortfolio(SESSION, {"A": 0.6, "B": 0.39}, cash=0.01, method="test")


def _account(fractional: bool = True) -> Account:
    return Account("acct-1", "hh-1", "test", fractional=fractional)


def _holdings(a_shares: str, b_shares: str, cash: float) -> Holdings:
    shares = {"A": Decimal(a_shares), "B": Decimal(b_shares)}
    values = {t: float(q) * PRICES[t] for t, q in shares.items()}
    return Holdings(values=values, cash=cash, shares=shares)


def _planner(**policy: float) -> Planner:
    return Planner(RebalancePolicy(**policy), SequentialIds())


def test_first_deposit_buys_the_target_with_notional_orders() -> None:
    holdings = Holdings(values={}, cash=10_000.0, shares={})

    plan = _planner().plan(_account(), SESSION, holdings, PRICES, TARGET)

    assert plan.action == "cash_flow"
    buys = {t.ticker: t.notional for t in plan.tickets}
    assert buys == {"A": Decimal("6000.00"), "B": Decimal("3900.00")}
    assert all(t.side is Side.BUY and t.quantity is None for t in plan.tickets)
    assert all(t.reasons[0].kind is ReasonKind.CASH_FLOW for t in plan.tickets)


def test_deposit_goes_to_underweight_assets_first() -> None:
    # A is 50% (under its 60% target), B 50% (over its 39%); a small deposit buys only A.
    holdings = _holdings("50", "100", cash=1_000.0)

    plan = _planner(band=0.5).plan(_account(), SESSION, holdings, PRICES, TARGET)

    assert plan.action == "cash_flow"
    assert [(t.ticker, t.side) for t in plan.tickets] == [("A", Side.BUY)]
    # cash to invest is cash above 1% of the 11,000 total
    assert plan.tickets[0].notional == Decimal("890.00")


def test_no_trades_inside_the_band() -> None:
    holdings = _holdings("61", "78.5", cash=100.0)  # 60.4% / 38.9% / 1.0%

    plan = _planner().plan(_account(), SESSION, holdings, PRICES, TARGET)

    assert plan.action == "none"
    assert plan.tickets == ()
    assert plan.drift_before < 0.03


def test_drift_beyond_the_band_sells_overweights_and_buys_underweights() -> None:
    holdings = _holdings("40", "120", cash=100.0)  # A 39.8%, B 59.7%: drift about 20%

    plan = _planner().plan(_account(), SESSION, holdings, PRICES, TARGET)

    assert plan.action == "rebalance"
    assert plan.drift_after_cash_flow == pytest.approx(plan.drift_before)
    sides = {t.ticker: t.side for t in plan.tickets}
    assert sides == {"A": Side.BUY, "B": Side.SELL}
    sell = next(t for t in plan.tickets if t.side is Side.SELL)
    # B should go from 6000 to 39% of 10100 = 3939 dollars: sell 2061 / 50 = 41.22 shares
    assert sell.quantity == Decimal("41.220000")
    reason = sell.reasons[0]
    assert reason.kind is ReasonKind.DRIFT
    assert reason.figure("band") == 0.03
    assert reason.figure("drift_after_cash_flow") > 0.03


def test_buys_never_spend_more_than_cash_and_expected_proceeds() -> None:
    holdings = _holdings("40", "120", cash=100.0)

    plan = _planner().plan(_account(), SESSION, holdings, PRICES, TARGET)

    proceeds = sum(
        float(t.quantity or 0) * PRICES[t.ticker] for t in plan.tickets if t.side is Side.SELL
    )
    spent = sum(float(t.notional or 0) for t in plan.tickets if t.side is Side.BUY)
    assert spent <= 100.0 + proceeds - 0.01 * holdings.total + 1e-6


def test_whole_share_accounts_trade_whole_shares() -> None:
    holdings = Holdings(values={}, cash=10_000.0, shares={})

    plan = _planner().plan(_account(fractional=False), SESSION, holdings, PRICES, TARGET)

    for ticket in plan.tickets:
        assert ticket.notional is None
        assert ticket.quantity == ticket.quantity.to_integral_value()
    spent = sum(float(t.quantity or 0) * PRICES[t.ticker] for t in plan.tickets)
    assert spent <= 9_900.0


def test_open_orders_make_the_planner_wait() -> None:
    holdings = Holdings(values={}, cash=10_000.0, shares={})

    plan = _planner().plan(_account(), SESSION, holdings, PRICES, TARGET, open_orders=2)

    assert plan.action == "wait"
    assert plan.tickets == ()
    assert "2 order(s) still open" in plan.notes[0]


def test_trades_below_the_minimum_are_skipped_and_noted() -> None:
    holdings = _holdings("60", "78", cash=105.0)  # 4.05 dollars above the cash target

    plan = _planner(min_trade=10.0).plan(_account(), SESSION, holdings, PRICES, TARGET)

    assert plan.tickets == ()
