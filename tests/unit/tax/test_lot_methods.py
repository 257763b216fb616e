"""Lot selection methods on hand-made lots with known answers, booked through Book.apply_fill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import Fill, IdFactory, Lot, SequentialIds, Side
from microfolio.errors import InsufficientHoldingsError, InvariantError, NotFoundError
from microfolio.ledger import Book, BookUpdate, LotSelector, fifo
from microfolio.tax import (
    LotMethod,
    SpecificLots,
    TaxMinimising,
    held_long_term,
    hifo,
    selector_for,
    specific,
    tax_minimising,
)

SOLD = date(2021, 6, 1)


def _lot(lot_id: str, shares: str, cost: str, acquired: date) -> Lot:
    return Lot(lot_id, "acc", "AAA", Decimal(shares), Decimal(cost), acquired)


def _sell(shares: str, price: str, session: date = SOLD) -> Fill:
    return Fill(
        fill_id="fill-1",
        order_id="ord-1",
        account_id="acc",
        ticker="AAA",
        side=Side.SELL,
        quantity=Decimal(shares),
        price=Decimal(price),
        commission=Decimal("0"),
        session=session,
        reference_price=Decimal(price),
    )


@pytest.fixture
def ids() -> IdFactory:
    return SequentialIds()


@pytest.fixture
def book() -> Book:
    """Six lots of AAA at 100 to 150 a share, acquired from 2019-12 to 2021-02."""
    return Book(
        "acc",
        lots=(
            _lot("L1", "10", "1000.00", date(2020, 1, 2)),  # 100/sh, long-term gain at 130
            _lot("L2", "10", "1500.00", date(2020, 6, 1)),  # 150/sh, loss
            _lot("L3", "10", "1200.00", date(2021, 1, 4)),  # 120/sh, short-term gain
            _lot("L4", "10", "1500.00", date(2019, 12, 1)),  # 150/sh, loss, earlier than L2
            _lot("L5", "10", "1400.00", date(2021, 2, 1)),  # 140/sh, smaller loss
            _lot("L6", "10", "1250.00", date(2020, 3, 1)),  # 125/sh, small long-term gain
        ),
    )


def _taken(update: BookUpdate) -> list[tuple[str, Decimal, Decimal]]:
    return [(d.lot_id, d.quantity, d.cost) for d in update.disposals]


def _assert_basis_conserved(before: Book, update: BookUpdate, sold: str) -> None:
    released = sum((d.cost for d in update.disposals), Decimal("0"))
    assert before.cost_basis("AAA") - update.book.cost_basis("AAA") == released
    assert before.position("AAA") - update.book.position("AAA") == Decimal(sold)
    assert sum((d.quantity for d in update.disposals), Decimal("0")) == Decimal(sold)


def test_hifo_takes_highest_cost_first_and_breaks_equal_costs_by_date(
    book: Book, ids: IdFactory
) -> None:
    update = book.apply_fill(_sell("25", "130"), ids, selector=hifo)

    assert _taken(update) == [
        ("L4", Decimal("10"), Decimal("1500.00")),
        ("L2", Decimal("10"), Decimal("1500.00")),
        ("L5", Decimal("5"), Decimal("700.00")),
    ]
    assert [d.proceeds for d in update.disposals] == [
        Decimal("1300.00"),
        Decimal("1300.00"),
        Decimal("650.00"),
    ]
    assert update.book.lots_of("AAA")[2] == _lot("L5", "5", "700.00", date(2021, 2, 1))
    _assert_basis_conserved(book, update, "25")


def test_hifo_breaks_full_ties_by_lot_id(ids: IdFactory) -> None:
    same_day = date(2020, 1, 2)
    book = Book("acc", lots=(_lot("B", "1", "10.00", same_day), _lot("A", "1", "10.00", same_day)))

    assert [lot.lot_id for lot, _ in hifo(book.lots, Decimal("2"))] == ["A", "B"]


def test_partial_lot_splits_the_basis_to_the_cent(ids: IdFactory) -> None:
    book = Book("acc", lots=(_lot("L1", "3", "100.00", date(2020, 1, 2)),))

    update = book.apply_fill(_sell("1", "40"), ids, selector=hifo)

    assert _taken(update) == [("L1", Decimal("1"), Decimal("33.33"))]
    assert update.book.lots[0].cost == Decimal("66.67")
    _assert_basis_conserved(book, update, "1")


def test_specific_takes_exactly_the_named_lots_in_order(book: Book, ids: IdFactory) -> None:
    update = book.apply_fill(_sell("15", "130"), ids, selector=specific(["L3", "L1"]))

    assert _taken(update) == [
        ("L3", Decimal("10"), Decimal("1200.00")),
        ("L1", Decimal("5"), Decimal("500.00")),
    ]
    _assert_basis_conserved(book, update, "15")


def test_specific_names_a_missing_lot(book: Book, ids: IdFactory) -> None:
    with pytest.raises(NotFoundError, match="L9"):
        book.apply_fill(_sell("5", "130"), ids, selector=specific(["L1", "L9"]))


def test_specific_refuses_a_sale_larger_than_the_named_lots(book: Book, ids: IdFactory) -> None:
    with pytest.raises(InsufficientHoldingsError, match="hold 10 shares"):
        book.apply_fill(_sell("15", "130"), ids, selector=specific(["L1"]))


def test_specific_refuses_named_lots_the_sale_does_not_reach(book: Book, ids: IdFactory) -> None:
    with pytest.raises(InvariantError, match=r"does not reach lots \['L2'\]"):
        book.apply_fill(_sell("10", "130"), ids, selector=specific(["L1", "L2"]))


@pytest.mark.parametrize("lot_ids", [[], ["L1", "L1"]])
def test_specific_refuses_empty_or_repeated_lot_ids(lot_ids: list[str]) -> None:
    with pytest.raises(InvariantError, match="lot_ids"):
        specific(lot_ids)


def test_tax_minimising_takes_losses_then_long_term_then_short_term_gains(
    book: Book, ids: IdFactory
) -> None:
    selector = tax_minimising(Decimal("130"), SOLD)

    picks = selector(book.lots, Decimal("60"))

    # losses (-20 L4 before L2 by date, then -10), long-term (+5, +30), short-term (+10)
    assert [lot.lot_id for lot, _ in picks] == ["L4", "L2", "L5", "L6", "L1", "L3"]


def test_tax_minimising_through_the_book_realises_the_losses_first(
    book: Book, ids: IdFactory
) -> None:
    update = book.apply_fill(_sell("25", "130"), ids, selector=tax_minimising(Decimal("130"), SOLD))

    assert [(d.lot_id, d.quantity) for d in update.disposals] == [
        ("L4", Decimal("10")),
        ("L2", Decimal("10")),
        ("L5", Decimal("5")),
    ]
    assert [d.gain for d in update.disposals] == [
        Decimal("-200.00"),
        Decimal("-200.00"),
        Decimal("-50.00"),
    ]
    _assert_basis_conserved(book, update, "25")


@pytest.mark.parametrize(
    ("session", "first"),
    [
        (date(2021, 3, 1), "Y"),  # exactly one year: still short-term, so the gain of 20 waits
        (date(2021, 3, 2), "O"),  # held more than a year: long-term comes first
    ],
)
def test_tax_minimising_uses_the_one_year_boundary(session: date, first: str) -> None:
    lots = (
        _lot("O", "1", "80.00", date(2020, 3, 1)),  # gain 20 at 100
        _lot("Y", "1", "90.00", date(2021, 1, 4)),  # short-term gain 10 at 100
    )

    picks = tax_minimising(Decimal("100"), session)(lots, Decimal("1"))

    assert [lot.lot_id for lot, _ in picks] == [first]


def test_tax_minimising_orders_equal_gains_by_date_then_id() -> None:
    lots = (
        _lot("B", "1", "90.00", date(2020, 1, 2)),
        _lot("A", "1", "90.00", date(2020, 1, 2)),
        _lot("C", "1", "90.00", date(2019, 1, 2)),
    )

    picks = tax_minimising(Decimal("100"), SOLD)(lots, Decimal("3"))

    assert [lot.lot_id for lot, _ in picks] == ["C", "A", "B"]


@pytest.mark.parametrize(
    ("acquired", "sold", "long_term"),
    [
        (date(2020, 3, 1), date(2021, 3, 1), False),
        (date(2020, 3, 1), date(2021, 3, 2), True),
        (date(2020, 2, 29), date(2021, 2, 28), False),
        (date(2020, 2, 29), date(2021, 3, 1), True),
    ],
)
def test_held_long_term_matches_the_disposal_rule(
    acquired: date, sold: date, long_term: bool
) -> None:
    assert held_long_term(acquired, sold) is long_term


def test_selector_for_builds_each_method() -> None:
    assert selector_for(LotMethod.FIFO) is fifo
    assert selector_for("hifo") is hifo
    chosen = selector_for(LotMethod.SPECIFIC, lot_ids=["L2"])
    assert isinstance(chosen, SpecificLots)
    assert chosen.lot_ids == ("L2",)
    tax_min = selector_for("tax_min", price=Decimal("10"), session=SOLD)
    assert isinstance(tax_min, TaxMinimising)
    assert (tax_min.price, tax_min.session) == (Decimal("10"), SOLD)


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("lifo", "method must be one of fifo, hifo, specific, tax_min"),
        (LotMethod.SPECIFIC, "needs lot_ids"),
        (LotMethod.TAX_MIN, "needs price and session"),
    ],
)
def test_selector_for_refuses_unknown_methods_and_missing_arguments(
    method: str, message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        selector_for(method)


def test_every_method_keeps_the_ledger_checks_happy(book: Book, ids: IdFactory) -> None:
    selectors: list[LotSelector] = [
        selector_for(m, lot_ids=["L1", "L2"], price=Decimal("130"), session=SOLD) for m in LotMethod
    ]
    for selector in selectors:
        update = book.apply_fill(_sell("12.5", "130"), ids, selector=selector)
        _assert_basis_conserved(book, update, "12.5")
