"""Lot selection methods: FIFO, HIFO, specific lots and tax-minimising, as ``LotSelector``s.

Each selector answers the ledger's question (which lots of one ticker give up ``shares``, and how
many each) and plugs into ``Book.apply_fill(fill, ids, selector=...)``. Ties are broken
deterministically: by acquisition date, then by lot id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from microfolio.domain.account import LotMethod
from microfolio.domain.disposal import held_long_term
from microfolio.domain.lot import Lot
from microfolio.domain.money import ZERO
from microfolio.errors import InsufficientHoldingsError, InvariantError, NotFoundError
from microfolio.ledger.lot_selection import LotSelector, Pick, fifo, take_in_order

__all__ = [
    "LotMethod",
    "SpecificLots",
    "TaxMinimising",
    "held_long_term",
    "hifo",
    "selector_for",
    "specific",
    "tax_minimising",
]


def hifo(lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
    """Highest cost per share first (then earliest acquired, then lot id)."""
    ordered = sorted(lots, key=lambda lot: (-lot.cost_per_share, lot.acquired, lot.lot_id))
    return take_in_order(ordered, shares)


class SpecificLots:
    """Exactly the named lots, in the given order; the last one may be taken in part."""

    def __init__(self, lot_ids: Sequence[str]) -> None:
        ids = tuple(lot_ids)
        if not ids:
            raise InvariantError("specific lots: lot_ids must name at least one lot")
        if len(set(ids)) != len(ids):
            raise InvariantError(f"specific lots: lot_ids must be unique, got {list(ids)}")
        self.lot_ids = ids

    def __call__(self, lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
        by_id = {lot.lot_id: lot for lot in lots}
        missing = [lot_id for lot_id in self.lot_ids if lot_id not in by_id]
        if missing:
            raise NotFoundError(f"specific lots: lot {missing[0]} is not held (lot_ids={missing})")
        named = [by_id[lot_id] for lot_id in self.lot_ids]
        held = sum((lot.quantity for lot in named), ZERO)
        if shares > held:
            raise InsufficientHoldingsError(
                f"specific lots {list(self.lot_ids)} hold {held} shares, fewer than the {shares} sold"
            )
        picks = take_in_order(named, shares)
        if len(picks) != len(named):
            unused = [lot.lot_id for lot in named[len(picks) :]]
            raise InvariantError(
                f"specific lots: sale of {shares} shares does not reach lots {unused}"
            )
        return picks

    def __repr__(self) -> str:
        return f"SpecificLots({list(self.lot_ids)!r})"


def specific(lot_ids: Sequence[str]) -> SpecificLots:
    """A selector that relieves exactly ``lot_ids``, in that order."""
    return SpecificLots(lot_ids)


class TaxMinimising:
    """Losses first (largest loss per share first), then long-term gains (smallest gain per share
    first), then short-term gains (smallest gain per share first), at ``price`` on ``session``.

    A lot with no gain and no loss counts as a gain of zero. Ties: acquired date, then lot id.
    """

    def __init__(self, price: Decimal, session: date) -> None:
        if price <= 0:
            raise InvariantError(f"tax-minimising selector: price must be positive, got {price}")
        self.price = price
        self.session = session

    def _key(self, lot: Lot) -> tuple[int, Decimal, date, str]:
        gain = self.price - lot.cost_per_share
        if gain < 0:
            rank = 0
        elif held_long_term(lot.acquired, self.session):
            rank = 1
        else:
            rank = 2
        # for losses the most negative gain comes first; for gains the smallest gain
        return (rank, gain, lot.acquired, lot.lot_id)

    def __call__(self, lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
        return take_in_order(sorted(lots, key=self._key), shares)

    def __repr__(self) -> str:
        return f"TaxMinimising(price={self.price}, session={self.session.isoformat()})"


def tax_minimising(price: Decimal, session: date) -> TaxMinimising:
    """A selector that minimises the tax a sale at ``price`` on ``session`` realises."""
    return TaxMinimising(price, session)


def selector_for(
    method: LotMethod | str,
    *,
    lot_ids: Sequence[str] | None = None,
    price: Decimal | None = None,
    session: date | None = None,
) -> LotSelector:
    """The selector for ``method``: ``specific`` needs ``lot_ids``, ``tax_min`` price and session."""
    try:
        chosen = LotMethod(method)
    except ValueError:
        options = ", ".join(m.value for m in LotMethod)
        raise InvariantError(f"method must be one of {options}, got {method!r}") from None
    if chosen is LotMethod.FIFO:
        return fifo
    if chosen is LotMethod.HIFO:
        return hifo
    if chosen is LotMethod.SPECIFIC:
        if lot_ids is None:
            raise InvariantError("method specific needs lot_ids, got None")
        return specific(lot_ids)
    if price is None or session is None:
        raise InvariantError(f"method tax_min needs price and session, got {price}, {session}")
    return tax_minimising(price, session)
