"""A unit of work is one transaction: an exception midway leaves the database as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from store_factories import ACCOUNT, Make

from microfolio.domain import OrderStatus
from microfolio.errors import StoreError
from microfolio.store import Store


class BoomError(Exception):
    """Raised on purpose halfway through a unit of work."""


@dataclass(frozen=True)
class Snapshot:
    everything: tuple[Any, ...]


def snapshot(store: Store) -> Snapshot:
    with store.unit_of_work() as uow:
        return Snapshot(
            (
                uow.cash(ACCOUNT),
                uow.lots(ACCOUNT),
                uow.orders(ACCOUNT),
                uow.open_orders(ACCOUNT),
                uow.fills(ACCOUNT),
                uow.disposals(ACCOUNT),
                uow.tickets(ACCOUNT),
                uow.journal_entries(ACCOUNT),
                uow.journal_balances(ACCOUNT),
                uow.audit_events(),
                uow.valuations(ACCOUNT),
                uow.assets(),
                uow.accounts(),
            )
        )


@pytest.fixture
def busy(seeded: Store, make: Make) -> Store:
    """An account with cash, lots, an open order and a journal."""
    with seeded.unit_of_work() as uow:
        uow.set_cash(ACCOUNT, Decimal("1000.00"))
        uow.replace_lots(ACCOUNT, [make.lot(lot_id="lot-old"), make.lot(lot_id="lot-two")])
        uow.save_order(make.order())
        uow.add_journal_entries([make.deposit("1000.00")])
        uow.add_valuation(ACCOUNT, date(2024, 2, 29), Decimal("1000.00"), Decimal("0.00"))
    return seeded


def test_an_exception_midway_leaves_everything_unchanged(busy: Store, make: Make) -> None:
    # Arrange
    before = snapshot(busy)

    def trade_then_fail() -> None:
        with busy.unit_of_work() as uow:
            (order,) = uow.open_orders(ACCOUNT)
            ticket = make.ticket()
            filled = order.transition(OrderStatus.ACCEPTED).transition(OrderStatus.FILLED)
            fill = make.fill(order)
            first, _second = uow.lots(ACCOUNT)
            _, rest = first.split(Decimal("1.5"))
            assert rest is not None
            uow.set_cash(ACCOUNT, uow.cash(ACCOUNT) + fill.cash_delta)
            uow.replace_lots(ACCOUNT, [rest, make.lot(ticker="BND")])
            uow.add_tickets([ticket])
            uow.save_order(filled)
            uow.save_order(make.order(ticket_id=ticket.ticket_id))
            uow.add_fills([fill])
            uow.add_disposals([make.disposal(fill, first)])
            uow.add_journal_entries([make.deposit("50.00")])
            uow.add_audit_events([make.audit("filled")])
            uow.add_valuation(ACCOUNT, date(2024, 2, 29), Decimal("1.00"), Decimal("2.00"))
            uow.add_valuation(ACCOUNT, date(2024, 3, 1), Decimal("1.00"), Decimal("2.00"))
            assert uow.cash(ACCOUNT) != Decimal("1000.00")  # the writes are visible inside
            raise BoomError

    # Act
    with pytest.raises(BoomError):
        trade_then_fail()
    # Assert
    assert snapshot(busy) == before


def test_a_store_error_midway_leaves_everything_unchanged(busy: Store, make: Make) -> None:
    # Arrange
    before = snapshot(busy)
    existing_order = before.everything[2][0]

    def write_then_clash() -> None:
        with busy.unit_of_work() as uow:
            uow.set_cash(ACCOUNT, Decimal("1.00"))
            uow.replace_lots(ACCOUNT, [])
            uow.add_journal_entries([make.deposit("5.00")])
            uow.save_order(existing_order.transition(OrderStatus.CANCELLED))
            uow.add_audit_events([make.audit("a"), make.audit("b")])
            event = make.audit("dup")
            uow.add_audit_events([event, event])  # the same id twice: the database refuses

    # Act
    with pytest.raises(StoreError, match="could not add audit events"):
        write_then_clash()
    # Assert
    assert snapshot(busy) == before


def test_a_clean_exit_commits_every_write(busy: Store, make: Make) -> None:
    # Arrange
    entry = make.deposit("5.00")
    # Act
    with busy.unit_of_work() as uow:
        uow.set_cash(ACCOUNT, Decimal("1005.00"))
        uow.add_journal_entries([entry])
    # Assert
    with busy.unit_of_work() as uow:
        assert uow.cash(ACCOUNT) == Decimal("1005.00")
        assert uow.journal_entries(ACCOUNT)[-1] == entry
