"""Lot selection: which lots a sale closes, and how many shares it takes from each.

A selector is a small strategy: given the lots of one ticker (in the book's order) and the shares
sold, it returns ``(lot, shares taken)`` pairs in the order the lots are relieved. FIFO is the
default here; HIFO, specific-lot and tax-minimising selectors (``microfolio.tax``) plug in through
the same protocol. :func:`checked_picks` guards the book against a selector that gets it wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from microfolio.domain.lot import Lot
from microfolio.domain.money import ZERO
from microfolio.errors import InsufficientHoldingsError, InvariantError

__all__ = ["LotSelector", "Pick", "checked_picks", "fifo", "take_in_order"]

Pick = tuple[Lot, Decimal]


class LotSelector(Protocol):
    def __call__(self, lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
        """Choose which lots (all of one ticker) give up ``shares``, and how many each."""
        ...


def take_in_order(lots: Sequence[Lot], shares: Decimal) -> list[Pick]:
    picks: list[Pick] = []
    left = shares
    for lot in lots:
        if left <= 0:
            break
        take = min(lot.quantity, left)
        picks.append((lot, take))
        left -= take
    return picks


def fifo(lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
    """First in, first out: the earliest acquired lots first (book order breaks ties)."""
    return take_in_order(sorted(lots, key=lambda lot: lot.acquired), shares)


def checked_picks(
    selector: LotSelector, lots: Sequence[Lot], ticker: str, shares: Decimal
) -> Sequence[Pick]:
    """Run ``selector`` and check its answer: known lots, each once, taking exactly ``shares``."""
    held = sum((lot.quantity for lot in lots), ZERO)
    if shares > held:
        raise InsufficientHoldingsError(f"sale of {shares} {ticker} exceeds the {held} held")
    picks = selector(lots, shares)
    by_id = {lot.lot_id: lot for lot in lots}
    seen: set[str] = set()
    for lot, take in picks:
        if by_id.get(lot.lot_id) != lot or lot.lot_id in seen:
            raise InvariantError(f"lot selector picked {lot.lot_id} twice or from elsewhere")
        if not ZERO < take <= lot.quantity:
            raise InvariantError(f"lot selector took {take} shares of lot {lot.lot_id}")
        seen.add(lot.lot_id)
    taken = sum((take for _, take in picks), ZERO)
    if taken != shares:
        raise InvariantError(f"lot selector took {taken} shares of {ticker}, not {shares}")
    return picks
