"""Booking fills: buys open lots at cost, sells relieve them FIFO and realise gains."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from ledger_helpers import D1, D2, D3, FillMaker

from microfolio.domain import IdFactory, LedgerAccount, Lot, Posting, Side
from microfolio.errors import InsufficientHoldingsError, InvariantError
from microfolio.ledger import Book, trial_balance


def _holding(ids: IdFactory, make_fill: FillMaker) -> Book:
    """10 AAA at 100.02 (+0.10) on D1 and 10 AAA at 110.00 (+0.11) on D2; 0.59 cash left."""
    book = Book("acc", Decimal("2101.00"))
    book = book.apply_fill(make_fill(Side.BUY, "10", "100.02", "0.10", session=D1), ids).book
    return book.apply_fill(make_fill(Side.BUY, "10", "110.00", "0.11", session=D2), ids).book


def test_buy_opens_one_lot_at_gross_plus_commission(ids: IdFactory, make_fill: FillMaker) -> None:
    fill = make_fill(Side.BUY, "10", "100.02", "0.10")

    update = Book("acc", Decimal("1500.00")).apply_fill(fill, ids)

    assert update.lot == Lot("lot-000001", "acc", "AAA", Decimal(10), Decimal("1000.30"), D1)
    assert update.book == Book("acc", Decimal("499.70"), (update.lot,))
    assert update.entry.postings == (
        Posting(LedgerAccount.securities("AAA"), Decimal("1000.30")),
        Posting(LedgerAccount.CASH, Decimal("-1000.30")),
    )
    assert update.disposals == ()


def test_buy_beyond_cash_raises(ids: IdFactory, make_fill: FillMaker) -> None:
    with pytest.raises(InvariantError, match=r"has cash 1000\.29"):
        Book("acc", Decimal("1000.29")).apply_fill(make_fill(Side.BUY, "10", "100.02", "0.10"), ids)


def test_sell_relieves_lots_first_in_first_out(ids: IdFactory, make_fill: FillMaker) -> None:
    book = _holding(ids, make_fill)
    sell = make_fill(Side.SELL, "15", "120.00", "0.18", session=D3)

    update = book.apply_fill(sell, ids)

    first, second = update.disposals
    assert (first.lot_id, first.quantity, first.cost) == (
        "lot-000001",
        Decimal(10),
        Decimal("1000.30"),
    )
    # half of 1100.11 is 550.055: the released half rounds to 550.06, 550.05 stays
    assert (second.lot_id, second.quantity, second.cost) == (
        "lot-000003",
        Decimal(5),
        Decimal("550.06"),
    )
    assert (first.proceeds, second.proceeds) == (Decimal("1199.88"), Decimal("599.94"))
    assert first.proceeds + second.proceeds == sell.cash_delta == Decimal("1799.82")
    assert (first.acquired, second.acquired, first.sold) == (D1, D2, D3)
    assert {d.fill_id for d in update.disposals} == {sell.fill_id}
    (rest,) = update.book.lots
    assert (rest.lot_id, rest.quantity, rest.cost) == ("lot-000003", Decimal(5), Decimal("550.05"))
    assert update.book.cash == Decimal("0.59") + Decimal("1799.82")


def test_sell_journals_cash_basis_and_realised_gain(ids: IdFactory, make_fill: FillMaker) -> None:
    book = _holding(ids, make_fill)

    update = book.apply_fill(make_fill(Side.SELL, "15", "120.00", "0.18", session=D3), ids)

    assert update.entry.postings == (
        Posting(LedgerAccount.CASH, Decimal("1799.82")),
        Posting(LedgerAccount.securities("AAA"), Decimal("-1550.36")),
        Posting(LedgerAccount.REALIZED_GAIN, Decimal("-249.46")),  # a gain is a credit
    )
    assert sum((d.gain for d in update.disposals), Decimal(0)) == Decimal("249.46")


def test_loss_is_a_debit_to_realised_gain(ids: IdFactory, make_fill: FillMaker) -> None:
    book = _holding(ids, make_fill)

    update = book.apply_fill(make_fill(Side.SELL, "10", "90.00", "0.09", session=D3), ids)

    assert trial_balance([update.entry]) == {
        LedgerAccount.CASH: Decimal("899.91"),
        LedgerAccount.securities("AAA"): Decimal("-1000.30"),
        LedgerAccount.REALIZED_GAIN: Decimal("100.39"),
    }


def test_sale_at_cost_posts_no_gain(ids: IdFactory, make_fill: FillMaker) -> None:
    book = Book("acc", Decimal("100.00"))
    book = book.apply_fill(make_fill(Side.BUY, "1", "50.00"), ids).book

    update = book.apply_fill(make_fill(Side.SELL, "1", "50.00"), ids)

    assert [p.ledger_account for p in update.entry.postings] == [
        LedgerAccount.CASH,
        LedgerAccount.securities("AAA"),
    ]


def test_fifo_follows_acquisition_dates_not_book_order(
    ids: IdFactory, make_fill: FillMaker
) -> None:
    late = Lot("late", "acc", "AAA", Decimal(1), Decimal("20.00"), D2)
    early = Lot("early", "acc", "AAA", Decimal(1), Decimal("10.00"), D1)

    update = Book("acc", Decimal(0), (late, early)).apply_fill(
        make_fill(Side.SELL, "1", "30.00", session=D3), ids
    )

    assert [d.lot_id for d in update.disposals] == ["early"]
    assert update.book.lots == (late,)


def test_sell_leaves_other_tickers_alone(ids: IdFactory, make_fill: FillMaker) -> None:
    book = Book("acc", Decimal("100.00"))
    book = book.apply_fill(make_fill(Side.BUY, "1", "10.00", ticker="BBB"), ids).book
    book = book.apply_fill(make_fill(Side.BUY, "1", "10.00", ticker="AAA"), ids).book

    update = book.apply_fill(make_fill(Side.SELL, "1", "12.00", ticker="AAA"), ids)

    assert update.book.positions() == {"BBB": Decimal(1)}


def test_selling_more_than_held_raises(ids: IdFactory, make_fill: FillMaker) -> None:
    book = _holding(ids, make_fill)
    with pytest.raises(InsufficientHoldingsError, match="exceeds the 20 held"):
        book.apply_fill(make_fill(Side.SELL, "20.000001", "120.00"), ids)


def test_sale_whose_commission_the_cash_cannot_cover_raises(
    ids: IdFactory, make_fill: FillMaker
) -> None:
    book = Book("acc", Decimal("0"), (Lot("l", "acc", "AAA", Decimal(1), Decimal(1), D1),))
    with pytest.raises(InvariantError, match="has cash 0"):
        book.apply_fill(make_fill(Side.SELL, "0.01", "1.00", "1.00"), ids)


def test_fill_for_another_account_raises(ids: IdFactory, make_fill: FillMaker) -> None:
    with pytest.raises(InvariantError, match="not acc"):
        Book("acc", Decimal(100)).apply_fill(make_fill(Side.BUY, "1", "1", account_id="x"), ids)


def test_a_different_lot_selector_plugs_in(ids: IdFactory, make_fill: FillMaker) -> None:
    def last_in_first_out(lots: Sequence[Lot], shares: Decimal) -> list[tuple[Lot, Decimal]]:
        newest = max(lots, key=lambda lot: lot.acquired)
        return [(newest, shares)]

    book = _holding(ids, make_fill)

    update = book.apply_fill(make_fill(Side.SELL, "1", "120.00"), ids, last_in_first_out)

    assert [d.acquired for d in update.disposals] == [D2]


def test_positions_and_cost_basis_sum_the_lots(ids: IdFactory, make_fill: FillMaker) -> None:
    book = _holding(ids, make_fill)

    assert book.positions() == {"AAA": Decimal(20)}
    assert book.position("AAA") == 20
    assert book.position("ZZZ") == 0
    assert book.cost_basis("AAA") == book.total_cost() == Decimal("2100.41")


def test_overselling_is_reported_before_the_cash_shortfall(
    ids: IdFactory, make_fill: FillMaker
) -> None:
    book = Book("acc", Decimal("0"), (Lot("l", "acc", "AAA", Decimal(1), Decimal(1), D1),))
    with pytest.raises(InsufficientHoldingsError):
        book.apply_fill(make_fill(Side.SELL, "2", "0.10", "5.00"), ids)
