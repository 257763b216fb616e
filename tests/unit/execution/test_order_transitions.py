"""The order state machine: every legal edge works, every other pair raises."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import TRANSITIONS, Order, OrderStatus, Side
from microfolio.errors import IllegalTransitionError

LEGAL = {
    (OrderStatus.NEW, OrderStatus.ACCEPTED),
    (OrderStatus.NEW, OrderStatus.REJECTED),
    (OrderStatus.NEW, OrderStatus.CANCELLED),
    (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED),
    (OrderStatus.ACCEPTED, OrderStatus.FILLED),
    (OrderStatus.ACCEPTED, OrderStatus.CANCELLED),
    (OrderStatus.PARTIALLY_FILLED, OrderStatus.PARTIALLY_FILLED),
    (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED),
    (OrderStatus.PARTIALLY_FILLED, OrderStatus.CANCELLED),
}
ALL_PAIRS = list(itertools.product(OrderStatus, OrderStatus))


def _order(status: OrderStatus) -> Order:
    return Order(
        order_id="ord-1",
        account_id="acc",
        ticker="AAA",
        side=Side.BUY,
        created=date(2024, 1, 2),
        quantity=Decimal(1),
        status=status,
    )


def test_the_table_is_the_documented_state_machine() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_transition_returns_a_copy_in_the_new_status(
    source: OrderStatus, target: OrderStatus
) -> None:
    order = _order(source)

    moved = order.transition(target)

    assert moved.status is target
    assert order.status is source  # the original is untouched
    assert moved == _order(target)


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transition_raises(source: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(IllegalTransitionError, match=f"from {source} to {target}"):
        _order(source).transition(target)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_terminal_statuses_are_exactly_those_without_exits(status: OrderStatus) -> None:
    terminal = {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED}
    assert status.is_terminal is (status in terminal)
    assert status.is_open is (status not in terminal)
