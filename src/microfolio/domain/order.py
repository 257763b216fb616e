"""Orders and their state machine.

An order is a command to the broker. It never carries fill state: what happened is a sequence of
:class:`~microfolio.domain.fill.Fill`. Its status moves only along the edges in ``TRANSITIONS``;
anything else raises :class:`~microfolio.errors.IllegalTransitionError`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microfolio.errors import IllegalTransitionError, InvariantError

__all__ = ["TRANSITIONS", "Order", "OrderStatus", "Side"]


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1


class OrderStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        return not TRANSITIONS[self]

    @property
    def is_open(self) -> bool:
        return not self.is_terminal


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.NEW: frozenset({OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.CANCELLED}),
    OrderStatus.ACCEPTED: frozenset(
        {OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PARTIALLY_FILLED: frozenset(
        {OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED, OrderStatus.CANCELLED}
    ),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Order:
    """A market order for one ticker in one account.

    Exactly one of ``quantity`` (shares) and ``notional`` (dollars to spend, commission included)
    is set. Sells are always by quantity; buys may be by either, which is how fractional-share
    brokers take dollar-based orders.

    ``limit_price``: a sell fills only at or above it, a buy only at or below it (None: market).
    ``lot_ids``: a sell's specific-lot instruction, the lots it relieves in that order (empty:
    the account's lot method decides when the fill is booked).
    """

    order_id: str
    account_id: str
    ticker: str
    side: Side
    created: date
    quantity: Decimal | None = None
    notional: Decimal | None = None
    status: OrderStatus = OrderStatus.NEW
    ticket_id: str | None = None
    limit_price: Decimal | None = None
    lot_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lot_ids", tuple(self.lot_ids))
        if (self.quantity is None) == (self.notional is None):
            raise InvariantError(
                f"order {self.order_id}: exactly one of quantity and notional must be set"
            )
        size = self.quantity if self.quantity is not None else self.notional
        if size is None or size <= 0:
            raise InvariantError(f"order {self.order_id}: size must be positive, got {size}")
        if self.side is Side.SELL and self.quantity is None:
            raise InvariantError(f"order {self.order_id}: a sell must be given in shares")
        if self.limit_price is not None and self.limit_price <= 0:
            raise InvariantError(
                f"order {self.order_id}: limit price must be positive, got {self.limit_price}"
            )
        if self.lot_ids and self.side is Side.BUY:
            raise InvariantError(f"order {self.order_id}: only a sell can name lots")

    def transition(self, status: OrderStatus) -> Order:
        """Return a copy in ``status``; refuse any move the state machine does not allow."""
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransitionError(
                f"order {self.order_id}: cannot move from {self.status} to {status}"
            )
        return dataclasses.replace(self, status=status)
