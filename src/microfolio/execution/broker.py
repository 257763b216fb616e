"""The broker protocol: what the engine asks of a custodian, simulated or real.

The engine submits orders and moves cash; the broker executes when it can. What happened comes
back through :meth:`Broker.collect` as one :class:`BrokerReport` per account: the fills since the
last collect, the latest state of every order that changed, why the broker rejected or cancelled
any of them, and the cash and positions it holds, so that the ledger can be reconciled against it.
Orders are never mutated: every status change is a new copy made by ``Order.transition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

from microfolio.domain.fill import Fill
from microfolio.domain.money import ZERO
from microfolio.domain.order import Order

__all__ = ["Broker", "BrokerReport"]


@dataclass(frozen=True, slots=True)
class BrokerReport:
    """What changed at the broker for one account since the previous collect.

    ``orders`` holds the latest state of each order that changed (in the order they first
    changed); ``reject_reasons`` and ``cancel_reasons`` say, by order id, why the broker refused
    or cancelled an order on its own. ``cash`` and ``positions`` are the custodian's balances when
    the report was made.
    """

    account_id: str
    fills: tuple[Fill, ...] = ()
    orders: tuple[Order, ...] = ()
    reject_reasons: Mapping[str, str] = field(default_factory=dict)
    cancel_reasons: Mapping[str, str] = field(default_factory=dict)
    cash: Decimal = ZERO
    positions: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("reject_reasons", "cancel_reasons", "positions"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def reject_reason(self, order_id: str) -> str | None:
        """Why the broker rejected ``order_id``, or None if it did not (in this report)."""
        return self.reject_reasons.get(order_id)

    def cancel_reason(self, order_id: str) -> str | None:
        """Why the broker cancelled ``order_id`` by itself, or None if it did not."""
        return self.cancel_reasons.get(order_id)


class Broker(Protocol):
    """A custodian that takes orders and cash movements for many accounts."""

    def submit(self, order: Order) -> Order:
        """Take a NEW order; return it ACCEPTED, or REJECTED with the reason kept for collect."""
        ...

    def cancel(self, order_id: str) -> Order:
        """Cancel an open order and return it CANCELLED."""
        ...

    def deposit(self, account_id: str, amount: Decimal) -> None:
        """Record cash arriving at the custodian for ``account_id``."""
        ...

    def withdraw(self, account_id: str, amount: Decimal) -> None:
        """Record cash leaving the custodian; never more than the account's cash."""
        ...

    def collect(self, account_id: str) -> BrokerReport:
        """Everything that changed for ``account_id`` since the previous collect."""
        ...
