"""Property: whatever the selector, a sale conserves the basis and the lots sum to the position."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from microfolio.domain import Fill, Lot, SequentialIds, Side
from microfolio.ledger import Book, LotSelector, fifo
from microfolio.tax import hifo, specific, tax_minimising

SESSION = date(2022, 6, 1)


@st.composite
def _lots(draw: st.DrawFn) -> tuple[Lot, ...]:
    n = draw(st.integers(1, 6))
    lots = []
    for i in range(n):
        shares = Decimal(draw(st.integers(1, 10**9))).scaleb(-6)
        cost = Decimal(draw(st.integers(0, 10**8))).scaleb(-2)
        acquired = SESSION - timedelta(days=draw(st.integers(1, 1000)))
        lots.append(Lot(f"lot-{i}", "acc", "AAA", shares, cost, acquired))
    return tuple(lots)


@st.composite
def _sale(draw: st.DrawFn) -> tuple[Book, Decimal, Decimal, LotSelector]:
    lots = draw(_lots())
    held = sum((lot.quantity for lot in lots), Decimal("0"))
    shares = Decimal(draw(st.integers(1, int(held.scaleb(6))))).scaleb(-6)
    sale_price = Decimal(draw(st.integers(1, 10**6))).scaleb(-2)
    kind = draw(st.sampled_from(["fifo", "hifo", "tax_min", "specific"]))
    selector: LotSelector
    if kind == "fifo":
        selector = fifo
    elif kind == "hifo":
        selector = hifo
    elif kind == "tax_min":
        selector = tax_minimising(sale_price, SESSION)
    else:
        order = draw(st.permutations(lots))
        named: list[str] = []
        reached = Decimal("0")
        for lot in order:  # just enough lots to cover the sale, so every named lot is reached
            if reached >= shares:
                break
            named.append(lot.lot_id)
            reached += lot.quantity
        selector = specific(named)
    return Book("acc", lots=lots), shares, sale_price, selector


@settings(max_examples=200, deadline=None)
@given(_sale())
def test_any_selector_conserves_basis_and_lots_sum_to_the_position(
    sale: tuple[Book, Decimal, Decimal, LotSelector],
) -> None:
    book, shares, sale_price, selector = sale
    fill = Fill(
        "fill-1",
        "ord-1",
        "acc",
        "AAA",
        Side.SELL,
        shares,
        sale_price,
        Decimal("0"),
        SESSION,
        sale_price,
    )

    update = book.apply_fill(fill, SequentialIds(), selector=selector)

    released = sum((d.cost for d in update.disposals), Decimal("0"))
    assert released == book.cost_basis("AAA") - update.book.cost_basis("AAA")
    assert sum((d.quantity for d in update.disposals), Decimal("0")) == shares
    left = sum((lot.quantity for lot in update.book.lots), Decimal("0"))
    assert left == update.book.position("AAA") == book.position("AAA") - shares
    assert all(lot.cost >= 0 for lot in update.book.lots)
    assert sum((d.proceeds for d in update.disposals), Decimal("0")) == fill.cash_delta
