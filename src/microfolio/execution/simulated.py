"""The simulated broker: the custodian of a backtest, filling market-on-open day orders.

Orders submitted after session ``t`` (``created <= t``) execute at the open of the next session
the broker is advanced to, never at an open that came before the decision. At each open, per
account, sells execute before buys so that their proceeds fund the buys; every order crosses the
half-spread and pays commission (:class:`~microfolio.execution.costs.CostModel`). A buy never
spends more cash than the account has at that moment: what the cash cannot pay for is cancelled.
Orders are day orders, except that an order whose ticker has no bar that session stays open for
the next. Neither cash nor a position ever goes negative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from microfolio.domain.fill import Fill
from microfolio.domain.ids import IdFactory
from microfolio.domain.money import ZERO, money, price, quantity
from microfolio.domain.order import Order, OrderStatus, Side
from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.execution.broker import BrokerReport
from microfolio.execution.costs import CostModel
from microfolio.execution.custody import Custody

__all__ = ["OpenPrices", "SimulatedBroker"]


class OpenPrices(Protocol):
    """Opening prices by ticker and session: None (or NaN) when the ticker has no bar."""

    def open_price(self, ticker: str, session: date) -> float | None: ...


@dataclass(slots=True)
class _Outbox:
    """What ``collect`` will hand over for one account."""

    fills: list[Fill] = field(default_factory=list)
    orders: dict[str, Order] = field(default_factory=dict)
    reject_reasons: dict[str, str] = field(default_factory=dict)
    cancel_reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Execution:
    """How much of an order one open can fill, and why the rest (if any) is cancelled."""

    shares: Decimal
    complete: bool
    shortfall: str = ""


class SimulatedBroker:
    """An in-memory custodian for many accounts (see the module docstring for its rules)."""

    def __init__(self, prices: OpenPrices, costs: CostModel, ids: IdFactory) -> None:
        self._prices = prices
        self._costs = costs
        self._ids = ids
        self._custody: dict[str, Custody] = {}
        self._orders: dict[str, Order] = {}  # latest state of every order ever submitted
        self._open: dict[str, Order] = {}  # open orders, in submission order
        self._outbox: dict[str, _Outbox] = {}
        self._session: date | None = None

    # -- queries ----------------------------------------------------------------------------

    @property
    def session(self) -> date | None:
        """The last session the broker was advanced to."""
        return self._session

    def cash(self, account_id: str) -> Decimal:
        custody = self._custody.get(account_id)
        return custody.cash if custody else ZERO

    def positions(self, account_id: str) -> dict[str, Decimal]:
        custody = self._custody.get(account_id)
        return custody.positions() if custody else {}

    def order(self, order_id: str) -> Order:
        try:
            return self._orders[order_id]
        except KeyError:
            raise NotFoundError(f"order_id {order_id!r} was never submitted") from None

    def open_orders(self, account_id: str) -> tuple[Order, ...]:
        return tuple(o for o in self._open.values() if o.account_id == account_id)

    # -- cash -------------------------------------------------------------------------------

    def deposit(self, account_id: str, amount: Decimal) -> None:
        """Cash arrives for ``account_id``; the first deposit opens the account."""
        custody = self._custody.get(account_id) or Custody(account_id)
        custody.deposit(amount)
        self._custody[account_id] = custody

    def withdraw(self, account_id: str, amount: Decimal) -> None:
        """Cash leaves ``account_id``; more than its cash raises InsufficientHoldingsError."""
        self._known(account_id).withdraw(amount)

    # -- orders -----------------------------------------------------------------------------

    def submit(self, order: Order) -> Order:
        """Accept a NEW order, or reject it with the reason reported by ``collect``."""
        if order.order_id in self._orders:
            raise InvariantError(f"order_id {order.order_id!r} was already submitted")
        reason = self._reject_reason(order)
        if reason:
            rejected = order.transition(OrderStatus.REJECTED)
            self._record(rejected)
            self._outbox_of(order.account_id).reject_reasons[order.order_id] = reason
            return rejected
        accepted = order.transition(OrderStatus.ACCEPTED)
        self._record(accepted)
        return accepted

    def cancel(self, order_id: str) -> Order:
        """Cancel an open order; a finished one raises IllegalTransitionError."""
        cancelled = self.order(order_id).transition(OrderStatus.CANCELLED)
        self._record(cancelled)
        return cancelled

    def collect(self, account_id: str) -> BrokerReport:
        """Hand over (once) what changed for ``account_id``, with its cash and positions now."""
        outbox = self._outbox.pop(account_id, _Outbox())
        return BrokerReport(
            account_id=account_id,
            fills=tuple(outbox.fills),
            orders=tuple(outbox.orders.values()),
            reject_reasons=outbox.reject_reasons,
            cancel_reasons=outbox.cancel_reasons,
            cash=self.cash(account_id),
            positions=self.positions(account_id),
        )

    # -- the clock --------------------------------------------------------------------------

    def advance(self, session: date) -> None:
        """Execute every due open order at ``session``'s open.

        Sessions must increase. Prices are read and checked before anything changes, so a bad
        price raises DataFormatError with the broker untouched.
        """
        if self._session is not None and session <= self._session:
            raise InvariantError(f"session {session} must come after {self._session}")
        due = [o for o in self._open.values() if o.created < session]
        references = {t: self._reference(t, session) for t in sorted({o.ticker for o in due})}
        self._session = session
        # sells first (stable sort: submission order within a side); accounts are independent
        for order in sorted(due, key=lambda o: o.side is Side.BUY):
            reference = references[order.ticker]
            if reference is not None:  # no bar: the order waits for the next session
                self._execute(order, reference, session)

    # -- internals --------------------------------------------------------------------------

    def _known(self, account_id: str) -> Custody:
        try:
            return self._custody[account_id]
        except KeyError:
            raise NotFoundError(f"account_id {account_id!r} is unknown to the broker") from None

    def _outbox_of(self, account_id: str) -> _Outbox:
        return self._outbox.setdefault(account_id, _Outbox())

    def _record(self, order: Order) -> None:
        self._orders[order.order_id] = order
        if order.status.is_open:
            self._open[order.order_id] = order
        else:
            self._open.pop(order.order_id, None)
        self._outbox_of(order.account_id).orders[order.order_id] = order

    def _reject_reason(self, order: Order) -> str:
        custody = self._custody.get(order.account_id)
        if custody is None:
            return f"account_id {order.account_id!r} is unknown to the broker"
        if not order.ticker:
            return "ticker must be non-empty"
        if order.quantity is not None and quantity(order.quantity) != order.quantity:
            return f"quantity {order.quantity} is finer than a millionth of a share"
        if order.side is Side.SELL and order.quantity is not None:
            held = custody.position(order.ticker)
            selling = sum(
                (
                    o.quantity or ZERO
                    for o in self.open_orders(order.account_id)
                    if o.side is Side.SELL and o.ticker == order.ticker
                ),
                ZERO,
            )
            if order.quantity > held - selling:
                return (
                    f"sell of {order.quantity} {order.ticker} exceeds the {held - selling} "
                    f"shares available (held {held}, already selling {selling})"
                )
        return ""

    def _reference(self, ticker: str, session: date) -> Decimal | None:
        raw = self._prices.open_price(ticker, session)
        if raw is None or math.isnan(float(raw)):
            return None
        value = float(raw)
        if not math.isfinite(value) or price(value) <= 0:
            raise DataFormatError(f"open price of {ticker} on {session} must be > 0, got {value}")
        return price(value)

    def _execute(self, order: Order, reference: Decimal, session: date) -> None:
        custody = self._custody[order.account_id]
        fill_price = self._costs.fill_price(order.side, reference)
        if fill_price <= 0:
            plan = _Execution(ZERO, False, f"fill price of {order.ticker} rounds to zero")
        elif not _within_limit(order, fill_price):
            plan = _Execution(
                ZERO,
                False,
                f"limit {order.limit_price} not reached: {order.side} at {fill_price} on {session}",
            )
        else:
            plan = self._plan(order, custody, fill_price)
        if plan.shares > 0:
            fill = Fill(
                fill_id=self._ids.new("fill"),
                order_id=order.order_id,
                account_id=order.account_id,
                ticker=order.ticker,
                side=order.side,
                quantity=plan.shares,
                price=fill_price,
                commission=self._costs.commission(money(plan.shares * fill_price)),
                session=session,
                reference_price=reference,
            )
            custody.settle(fill)
            self._outbox_of(order.account_id).fills.append(fill)
            status = OrderStatus.FILLED if plan.complete else OrderStatus.PARTIALLY_FILLED
            order = order.transition(status)
            self._record(order)
        if order.status.is_open:  # a day order: what this open could not fill is cancelled
            self._record(order.transition(OrderStatus.CANCELLED))
            self._outbox_of(order.account_id).cancel_reasons[order.order_id] = plan.shortfall

    def _plan(self, order: Order, custody: Custody, fill_price: Decimal) -> _Execution:
        cash = custody.cash
        if order.side is Side.SELL:
            wanted = order.quantity or ZERO
            shares = min(wanted, custody.position(order.ticker))
            gross = money(shares * fill_price)
            if cash + gross - self._costs.commission(gross) < 0:
                return _Execution(ZERO, False, "the commission exceeds the proceeds and the cash")
            return _Execution(shares, shares == wanted, "shares no longer held")
        if order.notional is not None:
            shares = self._costs.max_quantity(min(order.notional, cash), fill_price)
            if order.notional <= cash:
                return _Execution(shares, True, f"notional {order.notional} buys no shares")
            return _Execution(shares, False, f"insufficient cash: {cash} of {order.notional}")
        wanted = order.quantity or ZERO
        shares = min(wanted, self._costs.max_quantity(cash, fill_price))
        return _Execution(
            shares, shares == wanted, f"insufficient cash: {cash} buys {shares} of {wanted} shares"
        )


def _within_limit(order: Order, fill_price: Decimal) -> bool:
    """A sell fills at or above its limit, a buy at or below it; a market order always."""
    if order.limit_price is None:
        return True
    if order.side is Side.SELL:
        return fill_price >= order.limit_price
    return fill_price <= order.limit_price
