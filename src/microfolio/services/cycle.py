"""What every daily cycle shares: an account's session totals and the ticket -> order step.

The daily cycle itself is :class:`~microfolio.services.HouseholdCycle` (one household, one
session, one transaction); this module keeps the two pieces it and its results are built from.
"""

from __future__ import annotations

from decimal import Decimal

from microfolio.domain import ZERO, Fill, Order, TradeTicket

__all__ = ["SessionTotals", "ticket_to_order"]


class SessionTotals:
    """Totals of one account's session, from its cash, market value and fills (a mixin for the
    cycle results)."""

    __slots__ = ()
    cash: Decimal
    market_value: Decimal
    fills: tuple[Fill, ...]

    @property
    def total(self) -> Decimal:
        return self.cash + self.market_value

    @property
    def commission(self) -> Decimal:
        return sum((f.commission for f in self.fills), ZERO)

    @property
    def spread_cost(self) -> Decimal:
        return sum((f.spread_cost for f in self.fills), ZERO)

    @property
    def traded(self) -> Decimal:
        return sum((f.gross for f in self.fills), ZERO)


def ticket_to_order(ticket: TradeTicket, order_id: str) -> Order:
    """The order that carries out ``ticket`` (intent -> command; fills are the outcome)."""
    return Order(
        order_id=order_id,
        account_id=ticket.account_id,
        ticker=ticket.ticker,
        side=ticket.side,
        created=ticket.session,
        quantity=ticket.quantity,
        notional=ticket.notional,
        ticket_id=ticket.ticket_id,
        limit_price=ticket.limit_price,
        lot_ids=ticket.lot_ids,
    )
