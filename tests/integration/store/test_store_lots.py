"""replace_lots makes the open lots exactly the ones given: insert new, update changed, delete gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from store_factories import ACCOUNT, OTHER_ACCOUNT, Make

from microfolio.errors import StoreError
from microfolio.store import Store


def test_replacing_lots_inserts_updates_and_deletes(seeded: Store, make: Make) -> None:
    # Arrange
    kept = make.lot(acquired=date(2023, 1, 3))
    sold_part = make.lot(acquired=date(2023, 6, 1), quantity="10", cost="1000.00")
    sold_out = make.lot(acquired=date(2023, 9, 1))
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [kept, sold_part, sold_out])
    _, remaining = sold_part.split(Decimal("4"))
    assert remaining is not None
    bought = make.lot(acquired=date(2024, 1, 2), ticker="VEA", quantity="0.5", cost="25.00")
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [kept, remaining, bought])
    with seeded.unit_of_work() as uow:
        lots = uow.lots(ACCOUNT)
    # Assert
    assert lots == (kept, remaining, bought)
    assert lots[1].quantity == Decimal("6")
    assert lots[1].cost == Decimal("600.00")


def test_an_updated_lot_keeps_its_place_among_lots_of_the_same_day(
    seeded: Store, make: Make
) -> None:
    # Arrange: three lots bought the same day, stored in this order
    first, second, third = (make.lot(acquired=date(2024, 1, 2)) for _ in range(3))
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [first, second, third])
    smaller_first = replace(first, quantity=Decimal("1"), cost=Decimal("200.00"))
    # Act: given back in another order
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [third, smaller_first, second])
    with seeded.unit_of_work() as uow:
        lots = uow.lots(ACCOUNT)
    # Assert: insertion order, not the order of the call
    assert lots == (smaller_first, second, third)


def test_replacing_with_no_lots_closes_every_lot(seeded: Store, make: Make) -> None:
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [make.lot(), make.lot()])
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [])
    with seeded.unit_of_work() as uow:
        assert uow.lots(ACCOUNT) == ()


def test_replacing_one_accounts_lots_leaves_the_others_alone(seeded: Store, make: Make) -> None:
    # Arrange
    theirs = make.lot(account_id=OTHER_ACCOUNT)
    with seeded.unit_of_work() as uow:
        uow.replace_lots(OTHER_ACCOUNT, [theirs])
        uow.replace_lots(ACCOUNT, [make.lot()])
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [])
    # Assert
    with seeded.unit_of_work() as uow:
        assert uow.lots(OTHER_ACCOUNT) == (theirs,)


def test_a_lot_of_another_account_is_refused(seeded: Store, make: Make) -> None:
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="belongs to account"):
        uow.replace_lots(ACCOUNT, [make.lot(account_id=OTHER_ACCOUNT)])


def test_the_same_lot_given_twice_is_refused(seeded: Store, make: Make) -> None:
    lot = make.lot()
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="given twice"):
        uow.replace_lots(ACCOUNT, [lot, lot])


def test_replacing_with_the_same_lots_changes_nothing(seeded: Store, make: Make) -> None:
    lots = (make.lot(acquired=date(2023, 1, 3)), make.lot(acquired=date(2023, 2, 1)))
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, lots)
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, uow.lots(ACCOUNT))
    with seeded.unit_of_work() as uow:
        assert uow.lots(ACCOUNT) == lots
