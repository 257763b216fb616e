"""Orders: save inserts or moves the status; open_orders lists the ones not yet finished."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from store_factories import ACCOUNT, OTHER_ACCOUNT, Make

from microfolio.domain import OrderStatus
from microfolio.errors import StoreError
from microfolio.store import Store

OPEN = [OrderStatus.NEW, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED]
FINISHED = [OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED]


@pytest.mark.parametrize("status", OPEN)
def test_an_order_in_an_open_status_is_listed_as_open(
    seeded: Store, make: Make, status: OrderStatus
) -> None:
    order = make.order(status=status)
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
    with seeded.unit_of_work() as uow:
        assert uow.open_orders(ACCOUNT) == (order,)


@pytest.mark.parametrize("status", FINISHED)
def test_a_finished_order_is_not_listed_as_open(
    seeded: Store, make: Make, status: OrderStatus
) -> None:
    order = make.order(status=status)
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
    with seeded.unit_of_work() as uow:
        assert uow.open_orders(ACCOUNT) == ()
        assert uow.orders(ACCOUNT) == (order,)


def test_open_orders_are_oldest_first_and_of_one_account(seeded: Store, make: Make) -> None:
    # Arrange
    newer = make.order(created=date(2024, 3, 5))
    older = make.order(created=date(2024, 3, 1))
    filled = make.order(created=date(2024, 2, 1), status=OrderStatus.FILLED)
    theirs = make.order(account_id=OTHER_ACCOUNT)
    # Act
    with seeded.unit_of_work() as uow:
        for order in (newer, older, filled, theirs):
            uow.save_order(order)
    with seeded.unit_of_work() as uow:
        open_orders = uow.open_orders(ACCOUNT)
    # Assert
    assert open_orders == (older, newer)


def test_saving_an_order_again_moves_its_status_without_a_duplicate(
    seeded: Store, make: Make
) -> None:
    # Arrange
    order = make.order()
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
    accepted = order.transition(OrderStatus.ACCEPTED)
    partly = accepted.transition(OrderStatus.PARTIALLY_FILLED)
    # Act
    with seeded.unit_of_work() as uow:
        uow.save_order(accepted)
        uow.save_order(partly)
    with seeded.unit_of_work() as uow:
        still_open = uow.open_orders(ACCOUNT)
        uow.save_order(partly.transition(OrderStatus.FILLED))
    with seeded.unit_of_work() as uow:
        after_fill = uow.open_orders(ACCOUNT)
        every_order = uow.orders(ACCOUNT)
    # Assert
    assert still_open == (partly,)
    assert after_fill == ()
    assert [o.status for o in every_order] == [OrderStatus.FILLED]


def test_an_order_id_of_another_account_is_refused(seeded: Store, make: Make) -> None:
    order = make.order()
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
    clash = replace(make.order(account_id=OTHER_ACCOUNT), order_id=order.order_id)
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="another account"):
        uow.save_order(clash)
