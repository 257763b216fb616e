"""Simulated broker scenarios: fills at the next open, costs to the cent, cash never overspent."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from execution_helpers import D0, D1, D2, D3, OpenTable, OrderMaker

from microfolio.domain import OrderStatus, SequentialIds, Side
from microfolio.errors import (
    DataFormatError,
    IllegalTransitionError,
    InsufficientHoldingsError,
    InvariantError,
    NotFoundError,
)
from microfolio.execution import CostModel, SimulatedBroker


def test_buy_fills_at_the_next_open_with_spread_and_commission(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("10000.00"))
    accepted = broker.submit(make_order(quantity="10"))

    broker.advance(D1)
    report = broker.collect("acc")

    assert accepted.status is OrderStatus.ACCEPTED
    (fill,) = report.fills
    assert (fill.session, fill.quantity, fill.reference_price) == (
        D1,
        Decimal(10),
        Decimal("100.0000"),
    )
    assert fill.price == Decimal("100.0200")  # 2 bps half-spread
    assert fill.gross == Decimal("1000.20")
    assert fill.commission == Decimal("0.10")  # 1 bp of 1000.20
    assert fill.spread_cost == Decimal("0.20")
    assert fill.fill_id == "fill-000001"
    assert report.cash == Decimal("8999.70") == broker.cash("acc")
    assert report.positions == {"AAA": Decimal("10")}
    assert [o.status for o in report.orders] == [OrderStatus.FILLED]


def test_order_never_fills_at_the_open_of_the_session_it_was_decided_on(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D0)] = 100.0
    broker.deposit("acc", Decimal("10000.00"))
    order = broker.submit(make_order(quantity="1", created=D0))

    broker.advance(D0)

    assert broker.collect("acc").fills == ()
    assert broker.open_orders("acc") == (order,)


def test_sell_receives_gross_less_commission(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens.update({("AAA", D1): 100.0, ("AAA", D2): 110.0})
    broker.deposit("acc", Decimal("1000.30"))
    broker.submit(make_order(quantity="10"))
    broker.advance(D1)
    broker.submit(make_order(side=Side.SELL, quantity="4", created=D1))

    broker.advance(D2)

    sell = broker.collect("acc").fills[-1]
    assert sell.price == Decimal("109.9780")  # 110 * (1 - 0.0002)
    assert sell.gross == Decimal("439.91")  # 439.912
    assert sell.commission == Decimal("0.04")  # 0.043991
    assert sell.cash_delta == Decimal("439.87")
    assert broker.cash("acc") == Decimal("439.87")
    assert broker.positions("acc") == {"AAA": Decimal("6")}


def test_notional_buy_spends_at_most_the_notional_commission_included(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker, costs: CostModel
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("10000.00"))
    broker.submit(make_order(notional="1000.00"))

    broker.advance(D1)
    report = broker.collect("acc")

    (fill,) = report.fills
    assert fill.quantity == Decimal("9.997050")  # see test_cost_model
    assert fill.gross + fill.commission == Decimal("1000.00")
    assert costs.buy_outlay(fill.quantity + Decimal("0.000001"), fill.price) > Decimal("1000")
    assert report.orders[0].status is OrderStatus.FILLED
    assert broker.cash("acc") == Decimal("9000.00")


def test_notional_buy_larger_than_cash_spends_the_cash_then_cancels(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("500.00"))
    order = broker.submit(make_order(notional="1000.00"))

    broker.advance(D1)
    report = broker.collect("acc")

    (fill,) = report.fills
    assert -fill.cash_delta <= Decimal("500.00")
    assert Decimal("0") <= broker.cash("acc") < Decimal("0.02")
    assert report.orders[0].status is OrderStatus.CANCELLED
    assert "insufficient cash" in (report.cancel_reason(order.order_id) or "")


def test_sells_execute_before_buys_and_fund_them(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens.update({("AAA", D1): 100.0, ("AAA", D2): 100.0, ("BBB", D2): 50.0})
    broker.deposit("acc", Decimal("1000.30"))
    broker.submit(make_order("AAA", quantity="10"))
    broker.advance(D1)
    assert broker.cash("acc") == 0
    buy = broker.submit(make_order("BBB", quantity="5", created=D1))  # submitted first
    sell = broker.submit(make_order("AAA", Side.SELL, quantity="10", created=D1))

    broker.advance(D2)
    report = broker.collect("acc")

    assert [f.order_id for f in report.fills[1:]] == [sell.order_id, buy.order_id]
    # sell 10 @ 99.98 = 999.80 - 0.10; buy 5 @ 50.01 = 250.05 + 0.03 (0.025005)
    assert broker.cash("acc") == Decimal("999.70") - Decimal("250.08")
    assert broker.positions("acc") == {"BBB": Decimal("5")}
    assert {o.order_id: o.status for o in report.orders[1:]} == {
        buy.order_id: OrderStatus.FILLED,
        sell.order_id: OrderStatus.FILLED,
    }


def test_buy_larger_than_cash_is_partially_filled_then_cancelled(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker, costs: CostModel
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("500.00"))
    order = broker.submit(make_order(quantity="10"))

    broker.advance(D1)
    report = broker.collect("acc")

    (fill,) = report.fills
    assert fill.quantity == costs.max_quantity(Decimal("500.00"), Decimal("100.02"))
    assert Decimal("4.99") < fill.quantity < 10
    assert broker.cash("acc") >= 0
    assert broker.cash("acc") + fill.gross + fill.commission == Decimal("500.00")
    assert report.orders == (
        order.transition(OrderStatus.PARTIALLY_FILLED).transition(OrderStatus.CANCELLED),
    )
    assert "insufficient cash" in (report.cancel_reason(order.order_id) or "")
    assert broker.open_orders("acc") == ()


def test_buy_the_cash_cannot_pay_for_at_all_is_cancelled(
    opens: OpenTable, make_order: OrderMaker
) -> None:
    broker = SimulatedBroker(opens, CostModel(min_commission=Decimal("1.00")), SequentialIds())
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("0.99"))
    order = broker.submit(make_order(quantity="1"))

    broker.advance(D1)
    report = broker.collect("acc")

    assert report.fills == ()
    assert report.orders[0].status is OrderStatus.CANCELLED
    assert "insufficient cash: 0.99" in (report.cancel_reason(order.order_id) or "")
    assert broker.cash("acc") == Decimal("0.99")


def test_notional_buy_that_rounds_to_zero_shares_is_cancelled(
    opens: OpenTable, make_order: OrderMaker
) -> None:
    costs = CostModel(min_commission=Decimal("1.00"))
    broker = SimulatedBroker(opens, costs, SequentialIds())
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("100.00"))
    order = broker.submit(make_order(notional="0.50"))

    broker.advance(D1)
    report = broker.collect("acc")

    assert report.fills == ()
    assert report.orders[0].status is OrderStatus.CANCELLED
    assert "buys no shares" in (report.cancel_reason(order.order_id) or "")


@pytest.mark.parametrize("missing", [None, math.nan])
def test_order_without_a_bar_stays_open_for_the_next_session(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker, missing: float | None
) -> None:
    opens.opens.update({("AAA", D1): missing, ("AAA", D2): 100.0})
    broker.deposit("acc", Decimal("10000.00"))
    order = broker.submit(make_order(quantity="1"))

    broker.advance(D1)
    first = broker.collect("acc")
    broker.advance(D2)
    second = broker.collect("acc")

    assert first.fills == ()
    assert [o.status for o in first.orders] == [OrderStatus.ACCEPTED]
    assert broker.open_orders("acc") == ()
    assert second.fills[0].session == D2
    assert second.orders == (order.transition(OrderStatus.FILLED),)


def test_sell_for_more_than_held_is_rejected_with_a_reason(
    broker: SimulatedBroker, make_order: OrderMaker
) -> None:
    broker.deposit("acc", Decimal("100.00"))

    rejected = broker.submit(make_order(side=Side.SELL, quantity="1"))
    report = broker.collect("acc")

    assert rejected.status is OrderStatus.REJECTED
    assert report.orders == (rejected,)
    assert "exceeds the 0 shares available" in (report.reject_reason(rejected.order_id) or "")


def test_sell_counts_shares_already_being_sold(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("1000.30"))
    broker.submit(make_order(quantity="10"))
    broker.advance(D1)

    first = broker.submit(make_order(side=Side.SELL, quantity="6", created=D1))
    second = broker.submit(make_order(side=Side.SELL, quantity="6", created=D1))

    assert first.status is OrderStatus.ACCEPTED
    assert second.status is OrderStatus.REJECTED
    assert "already selling 6" in (broker.collect("acc").reject_reason(second.order_id) or "")


@pytest.mark.parametrize(
    ("account_id", "quantity", "ticker", "reason"),
    [
        ("nobody", "1", "AAA", "unknown"),
        ("acc", "0.0000001", "AAA", "finer than"),
        ("acc", "1", "", "ticker"),
    ],
)
def test_invalid_orders_are_rejected(
    broker: SimulatedBroker,
    make_order: OrderMaker,
    account_id: str,
    quantity: str,
    ticker: str,
    reason: str,
) -> None:
    broker.deposit("acc", Decimal("100.00"))

    rejected = broker.submit(make_order(ticker, quantity=quantity, account_id=account_id))

    assert rejected.status is OrderStatus.REJECTED
    assert reason in (broker.collect(account_id).reject_reason(rejected.order_id) or "")


def test_resubmitting_an_order_id_raises(broker: SimulatedBroker, make_order: OrderMaker) -> None:
    broker.deposit("acc", Decimal("100.00"))
    order = make_order(quantity="1")
    broker.submit(order)

    with pytest.raises(InvariantError, match="already submitted"):
        broker.submit(order)


def test_cancel_an_open_order(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("1000.00"))
    order = broker.submit(make_order(quantity="1"))

    cancelled = broker.cancel(order.order_id)
    broker.advance(D1)
    report = broker.collect("acc")

    assert cancelled.status is OrderStatus.CANCELLED
    assert report.fills == ()
    assert report.orders == (cancelled,)
    assert report.cancel_reason(order.order_id) is None  # cancelled by the client, not the broker


def test_cancel_a_filled_order_raises(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("1000.00"))
    order = broker.submit(make_order(quantity="1"))
    broker.advance(D1)

    with pytest.raises(IllegalTransitionError):
        broker.cancel(order.order_id)
    with pytest.raises(NotFoundError, match="never submitted"):
        broker.cancel("ord-unknown")


def test_sell_whose_commission_exceeds_proceeds_and_cash_is_cancelled(
    opens: OpenTable, make_order: OrderMaker
) -> None:
    broker = SimulatedBroker(opens, CostModel(min_commission=Decimal("1.00")), SequentialIds())
    opens.opens.update({("AAA", D1): 10.0, ("AAA", D2): 10.0})
    broker.deposit("acc", Decimal("1.10"))  # 0.01 share @ 10.002 = 0.10, + 1.00 commission
    broker.submit(make_order(quantity="0.01"))
    broker.advance(D1)
    sell = broker.submit(make_order(side=Side.SELL, quantity="0.01", created=D1))

    broker.advance(D2)
    report = broker.collect("acc")

    assert broker.cash("acc") == 0
    assert broker.positions("acc") == {"AAA": Decimal("0.01")}
    assert "commission exceeds" in (report.cancel_reason(sell.order_id) or "")


def test_collect_hands_over_each_change_once(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("acc", Decimal("1000.00"))
    broker.submit(make_order(quantity="1"))
    broker.advance(D1)

    first = broker.collect("acc")
    second = broker.collect("acc")

    assert len(first.fills) == 1
    assert (second.fills, second.orders) == ((), ())
    assert second.cash == first.cash


def test_accounts_are_kept_apart(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker
) -> None:
    opens.opens[("AAA", D1)] = 100.0
    broker.deposit("a", Decimal("1000.00"))
    broker.deposit("b", Decimal("50.00"))
    broker.submit(make_order(quantity="1", account_id="a"))
    broker.submit(make_order(quantity="1", account_id="b"))

    broker.advance(D1)

    assert broker.positions("a") == {"AAA": Decimal("1")}
    assert broker.cash("a") == Decimal("1000.00") - Decimal("100.02") - Decimal("0.01")
    assert broker.positions("b") == {"AAA": Decimal("0.499950")}  # what 50.00 buys
    assert broker.cash("b") == 0
    assert [f.account_id for f in broker.collect("a").fills] == ["a"]
    assert [f.account_id for f in broker.collect("b").fills] == ["b"]


def test_withdrawal_beyond_cash_raises_and_changes_nothing(broker: SimulatedBroker) -> None:
    broker.deposit("acc", Decimal("100.00"))

    with pytest.raises(InsufficientHoldingsError, match=r"exceeds its cash 100\.00"):
        broker.withdraw("acc", Decimal("100.01"))
    broker.withdraw("acc", Decimal("40.00"))

    assert broker.cash("acc") == Decimal("60.00")
    with pytest.raises(NotFoundError):
        broker.withdraw("nobody", Decimal("1.00"))


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005"])
def test_deposit_must_be_positive_whole_cents(broker: SimulatedBroker, amount: str) -> None:
    with pytest.raises(InvariantError, match="positive whole cents"):
        broker.deposit("acc", Decimal(amount))


def test_sessions_must_move_forward(broker: SimulatedBroker) -> None:
    broker.advance(D2)
    with pytest.raises(InvariantError, match="must come after"):
        broker.advance(D1)
    with pytest.raises(InvariantError):
        broker.advance(D2)
    broker.advance(D3)
    assert broker.session == D3


@pytest.mark.parametrize("bad", [-1.0, 0.0, math.inf])
def test_bad_open_price_raises_before_anything_changes(
    broker: SimulatedBroker, opens: OpenTable, make_order: OrderMaker, bad: float
) -> None:
    opens.opens.update({("AAA", D1): 100.0, ("ZZZ", D1): bad})
    broker.deposit("acc", Decimal("1000.00"))
    broker.submit(make_order("AAA", quantity="1"))
    broker.submit(make_order("ZZZ", quantity="1"))

    with pytest.raises(DataFormatError, match="ZZZ"):
        broker.advance(D1)

    assert broker.cash("acc") == Decimal("1000.00")
    assert len(broker.open_orders("acc")) == 2
    assert broker.session is None
