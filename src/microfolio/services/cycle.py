"""The daily cycle for one account: the use case that a live run and the backtest both call.

One run, for one account and one session (after the close):

1. take what the broker reports (fills, order updates) and any cash flow into the ledger;
2. value the holdings at the session's close and record the valuation;
3. ask the model for the target, let the planner decide (cash flows first, then drift bands);
4. turn the tickets into orders.

Everything the run writes for the account is ONE unit of work: if anything fails, the store is
left exactly as before the run, and the broker report is kept to be applied by the next run.
Orders go to the broker, and the deposit to the custodian, only after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from microfolio.advisor import ModelPortfolio
from microfolio.data import MarketData, MarketView
from microfolio.domain import (
    ZERO,
    AuditEvent,
    Disposal,
    Fill,
    IdFactory,
    JournalEntry,
    Order,
    TradeTicket,
)
from microfolio.errors import MicrofolioError
from microfolio.execution import Broker, BrokerReport
from microfolio.ledger import Book, valuation
from microfolio.rebalance import Holdings, Plan, Planner
from microfolio.store import Store, UnitOfWork

__all__ = ["CycleResult", "DailyCycle", "SessionTotals", "ticket_to_order"]


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


@dataclass(frozen=True, slots=True)
class CycleResult(SessionTotals):
    """What one run did: enough for a report line and for the backtest's statistics."""

    account_id: str
    session: date
    cash: Decimal
    market_value: Decimal
    deposit: Decimal
    plan: Plan
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    weights: Mapping[str, float] = field(default_factory=dict)


def ticket_to_order(ticket: TradeTicket, order_id: str) -> Order:
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


class DailyCycle:
    """Runs the daily decision pass for accounts, through the store and the broker."""

    def __init__(
        self,
        store: Store,
        broker: Broker,
        market: MarketData,
        model: ModelPortfolio,
        planner: Planner,
        ids: IdFactory,
        actor: str = "microfolio",
    ) -> None:
        self.store = store
        self.broker = broker
        self.market = market
        self.model = model
        self.planner = planner
        self.ids = ids
        self.actor = actor
        self._unapplied: dict[str, list[BrokerReport]] = {}

    def run(self, account_id: str, session: date, deposit: Decimal = ZERO) -> CycleResult:
        if deposit < 0:
            raise MicrofolioError(f"deposit must be >= 0, got {deposit}")
        view = self.market.view(session)
        if view.as_of != session:
            raise MicrofolioError(f"{session} is not a session of the market data")
        reports = [*self._unapplied.pop(account_id, []), self.broker.collect(account_id)]
        try:
            with self.store.unit_of_work() as uow:
                result, new_orders = self._run(uow, account_id, session, deposit, reports, view)
        except BaseException:
            self._unapplied[account_id] = reports
            raise
        if deposit > 0:
            self.broker.deposit(account_id, deposit)
        for order in new_orders:
            self.broker.submit(order)
        return result

    def _run(
        self,
        uow: UnitOfWork,
        account_id: str,
        session: date,
        deposit: Decimal,
        reports: list[BrokerReport],
        view: MarketView,
    ) -> tuple[CycleResult, tuple[Order, ...]]:
        account = uow.account(account_id)
        book = Book(account_id=account_id, cash=uow.cash(account_id), lots=uow.lots(account_id))
        entries: list[JournalEntry] = []
        disposals: list[Disposal] = []
        events: list[AuditEvent] = []
        fills = tuple(f for r in reports for f in r.fills)
        if deposit > 0:
            update = book.deposit(deposit, session, self.ids)
            book = update.book
            entries.append(update.entry)
            events.append(self._event(session, account_id, "deposit", f"deposit ${deposit:,.2f}"))
        for fill in fills:
            update = book.apply_fill(fill, self.ids)
            book = update.book
            entries.append(update.entry)
            disposals.extend(update.disposals)
        for report in reports:
            for order in report.orders:
                uow.save_order(order)
                why = report.reject_reason(order.order_id) or report.cancel_reason(order.order_id)
                if why:
                    events.append(self._event(session, account_id, f"order_{order.status}", why))
        uow.add_fills(fills)
        uow.add_disposals(disposals)
        uow.add_journal_entries(entries)
        uow.set_cash(account_id, book.cash)
        uow.replace_lots(account_id, book.lots)

        target = self.model.target(view)
        closes = view.last("close")
        needed = set(book.positions()) | set(target.weights)
        prices = {t: float(closes[t]) for t in needed}
        valued = valuation(book, prices)
        uow.add_valuation(account_id, session, valued.cash, valued.market_value)
        values, cash = valued.as_floats()
        holdings = Holdings(values=values, cash=cash, shares=book.positions())
        plan = self.planner.plan(
            account,
            session,
            holdings,
            prices,
            target,
            open_orders=len(uow.open_orders(account_id)),
        )
        orders = tuple(ticket_to_order(t, self.ids.new("ord")) for t in plan.tickets)
        uow.add_tickets(plan.tickets)
        for order in orders:
            uow.save_order(order)
        if plan.tickets:
            events.append(
                self._event(
                    session,
                    account_id,
                    f"plan_{plan.action}",
                    f"{len(plan.tickets)} ticket(s); drift {plan.drift_before:.2%} before, "
                    f"{plan.drift_after_cash_flow:.2%} after cash flows",
                )
            )
        uow.add_audit_events(events)
        result = CycleResult(
            account_id=account_id,
            session=session,
            cash=valued.cash,
            market_value=valued.market_value,
            deposit=deposit,
            plan=plan,
            fills=fills,
            orders=orders,
            weights=valued.weights().weights,
        )
        return result, orders

    def _event(self, session: date, account_id: str, action: str, detail: str) -> AuditEvent:
        return AuditEvent(
            event_id=self.ids.new("evt"),
            session=session,
            actor=self.actor,
            action=action,
            account_id=account_id,
            detail=detail,
        )
