"""Lot selection: FIFO, and the checks that keep a faulty selector from corrupting a book."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from ledger_helpers import D1, D2, D3

from microfolio.domain import Lot
from microfolio.errors import InsufficientHoldingsError, InvariantError
from microfolio.ledger import checked_picks, fifo

A = Lot("a", "acc", "AAA", Decimal(3), Decimal(30), D2)
B = Lot("b", "acc", "AAA", Decimal(2), Decimal(20), D1)
C = Lot("c", "acc", "AAA", Decimal(1), Decimal(10), D1)


def test_fifo_takes_the_oldest_lots_first_and_keeps_book_order_for_ties() -> None:
    assert list(fifo([A, B, C], Decimal(4))) == [(B, Decimal(2)), (C, Decimal(1)), (A, Decimal(1))]


def test_fifo_of_an_exact_lot_takes_just_that_lot() -> None:
    assert list(fifo([A, B], Decimal(2))) == [(B, Decimal(2))]


def test_checked_picks_refuses_more_than_held() -> None:
    with pytest.raises(InsufficientHoldingsError, match="exceeds the 6 held"):
        checked_picks(fifo, [A, B, C], "AAA", Decimal(7))


@pytest.mark.parametrize(
    "answer",
    [
        [(A, Decimal(1)), (A, Decimal(1))],  # the same lot twice
        [(Lot("x", "acc", "AAA", Decimal(9), Decimal(9), D3), Decimal(2))],  # a lot from elsewhere
        [(B, Decimal(3))],  # more than the lot holds
        [(B, Decimal(1))],  # too few shares in all
    ],
)
def test_checked_picks_refuses_a_faulty_selector(answer: list[tuple[Lot, Decimal]]) -> None:
    def faulty(lots: Sequence[Lot], shares: Decimal) -> list[tuple[Lot, Decimal]]:
        return answer

    with pytest.raises(InvariantError, match="lot selector"):
        checked_picks(faulty, [A, B, C], "AAA", Decimal(2))
