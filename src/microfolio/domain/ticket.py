"""Trade tickets: the intent to trade, with the reasons and numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microfolio.domain.order import Side
from microfolio.errors import InvariantError

__all__ = ["Reason", "ReasonKind", "TradeTicket"]


class ReasonKind(StrEnum):
    DRIFT = "drift"
    CASH_FLOW = "cash_flow"
    HARVEST = "harvest"
    RISK_OVERLAY = "risk_overlay"
    SIGNAL_CHANGE = "signal_change"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a ticket exists: a kind, one sentence, and the figures that sentence rests on."""

    kind: ReasonKind
    detail: str
    figures: tuple[tuple[str, float], ...] = ()

    def figure(self, name: str) -> float:
        for key, value in self.figures:
            if key == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class TradeTicket:
    """A planned trade. Buys may be sized in dollars (``notional``), sells always in shares.

    ``limit_price`` and ``lot_ids`` pass to the order (see :class:`~microfolio.domain.Order`).
    """

    ticket_id: str
    account_id: str
    session: date
    ticker: str
    side: Side
    reasons: tuple[Reason, ...]
    quantity: Decimal | None = None
    notional: Decimal | None = None
    limit_price: Decimal | None = None
    lot_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lot_ids", tuple(self.lot_ids))
        if (self.quantity is None) == (self.notional is None):
            raise InvariantError(
                f"ticket {self.ticket_id}: exactly one of quantity and notional must be set"
            )
        size = self.quantity if self.quantity is not None else self.notional
        if size is None or size <= 0:
            raise InvariantError(f"ticket {self.ticket_id}: size must be positive, got {size}")
        if not self.reasons:
            raise InvariantError(f"ticket {self.ticket_id}: every ticket needs a reason")
