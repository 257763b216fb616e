"""The daily cycle for one household: the use case that a live run and the backtest both call.

One run, for one household and one session (after the close), in ONE unit of work:

1. for every account: take what the broker reports (fills, order updates) and the deposit
   into the ledger; a sale relieves the lots its order named (specific identification), or the
   account's lot method's when it named none; record the session's withdrawal requests, then pay
   the account's pending withdrawals, oldest first, while its cash covers each in full (a
   withdrawal is paid whole or not yet);
2. feed the day's loss sales, then its purchases, of every account to the household's wash-sale
   window (a wash sale found there moves the disallowed loss into the replacement lot, or loses
   it for good in an IRA, and is recorded; trades the engine decided never create one);
3. value every account at the close; ask the model family for each account's class target
   (at the account's own ``risk_level``: an account without one is refused);
4. plan the household in one decision pass (:class:`~microfolio.rebalance.AccountPlanner`):
   every taxable account's harvests first, then each account's cash flows and rebalancing
   (taxable accounts before IRAs), all against one shared guard, so no plan washes a loss
   another plan of the same pass realises; what is still owed on withdrawals is cash the plan
   raises (most overweight classes first) and never invests, so a later run pays it once the
   sales have filled;
5. record tickets, orders, skipped candidates (as audit events), valuations, the window. A
   candidate skipped for the same reason session after session (a gain too costly in tax to
   sell, a harvest blocked by a recent purchase) is recorded on the first session of the run,
   not on every one: the plan of each session still lists every skip.

If anything fails the store is left as before the run and the broker reports are kept for the
next run. Deposits go to the custodian, then the withdrawals paid leave it, then orders go to the
broker, only after the commit: a run that fails pays nothing and tells the broker nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from microfolio.advisor import AssetClasses, ClassTarget, ModelFamily
from microfolio.data import MarketData, MarketView
from microfolio.domain import (
    ZERO,
    Account,
    AuditEvent,
    Disposal,
    Fill,
    IdFactory,
    JournalEntry,
    Lot,
    LotMethod,
    Order,
    Side,
    TradeTicket,
    Withdrawal,
)
from microfolio.errors import MicrofolioError
from microfolio.execution import Broker, BrokerReport
from microfolio.ledger import Book, LotSelector, Valuation, lot_views, valuation
from microfolio.ledger.lot_selection import Pick, take_in_order
from microfolio.rebalance import AccountCase, AccountInputs, AccountPlan, AccountPlanner, Skipped
from microfolio.services.cash_flows import Payout, check_cash_flows, pay_withdrawals
from microfolio.services.cycle import SessionTotals, ticket_to_order
from microfolio.store import Store, UnitOfWork
from microfolio.tax import (
    HouseholdWashGuard,
    SecurityIdentity,
    WashSale,
    WashSaleWindow,
    apply_to_lots,
    selector_for,
)

__all__ = ["AccountResult", "FundMenuAt", "HouseholdCycle", "HouseholdResult"]


@dataclass(frozen=True, slots=True)
class AccountResult(SessionTotals):
    """What one run did for one account (a ``backtest.SessionRecord``).

    ``withdrawal`` is what was paid out this session, ``withdrawal_pending`` what the client is
    still owed after it (requested, not yet paid: the plan raises it).
    """

    account_id: str
    session: date
    cash: Decimal
    market_value: Decimal
    deposit: Decimal
    plan: AccountPlan
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    disposals: tuple[Disposal, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    withdrawal: Decimal = ZERO
    withdrawal_pending: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class HouseholdResult:
    household_id: str
    session: date
    accounts: Mapping[str, AccountResult]
    wash_sales: tuple[WashSale, ...] = ()


class FundMenuAt:
    """The funds tradable at one session (``rebalance.FundMenu``): taxable accounts prefer a
    class's funds in rank order (primary first, then the harvesting replacements); IRAs in the
    reverse order, so that their purchases keep clear of the funds the taxable accounts hold and
    harvest (an IRA purchase within 30 days would make a harvest's loss disappear for good)."""

    def __init__(self, classes: AssetClasses, view: MarketView, min_history: int = 1) -> None:
        self.classes = classes
        self.view = view
        self.min_history = min_history
        self._cache: dict[str, tuple[str, ...]] = {}

    def class_of(self, ticker: str) -> str:
        return self.classes.asset_class(ticker)

    def candidates(self, asset_class: str, account: Account) -> tuple[str, ...]:
        funds = self._cache.get(asset_class)
        if funds is None:
            funds = self.classes.tradable(asset_class, self.view, self.min_history)
            self._cache[asset_class] = funds
        return funds if account.account_type.is_taxable else tuple(reversed(funds))


def _earliest_trade(session: date) -> date:
    """Orders decided after ``session``'s close trade at a later session: at the earliest on the
    next calendar day."""
    return session + dt.timedelta(days=1)


class HouseholdCycle:
    """Runs the daily decision pass for households, through the store and the broker."""

    def __init__(
        self,
        store: Store,
        broker: Broker,
        market: MarketData,
        family: ModelFamily,
        planner: AccountPlanner,
        identity: SecurityIdentity,
        ids: IdFactory,
        actor: str = "microfolio",
    ) -> None:
        self.store = store
        self.broker = broker
        self.market = market
        self.family = family
        self.planner = planner
        self.identity = identity
        self.ids = ids
        self.actor = actor
        self._unapplied: dict[str, list[BrokerReport]] = {}
        #: per account, the candidates skipped at its last run: (ticker, side, kind)
        self._skipping: dict[str, frozenset[tuple[str, str, str]]] = {}

    def level(self, account: Account) -> int:
        """The account's risk level: which of the family's model portfolios it follows."""
        if account.risk_level is None:
            raise MicrofolioError(
                f"account {account.account_id} has no risk level: onboard it first"
            )
        return account.risk_level

    def run(
        self,
        household_id: str,
        session: date,
        deposits: Mapping[str, Decimal] | None = None,
        withdrawals: Mapping[str, Decimal] | None = None,
    ) -> HouseholdResult:
        """Run one session for the household.

        ``deposits`` maps account ids to cash arriving this session (>= 0); ``withdrawals`` to
        cash the client asks for this session (> 0, whole cents): paid this session if the cash
        covers it, else raised by selling and paid by a later run. Either naming an account
        that is not the household's is refused before anything is written; a request that, with
        what the account already owes, is more than the account is worth at the close is refused
        and the run rolled back.
        """
        deposits = dict(deposits or {})
        withdrawals = dict(withdrawals or {})
        view = self.market.view(session)
        if view.as_of != session:
            raise MicrofolioError(f"{session} is not a session of the market data")
        with self.store.unit_of_work() as uow:
            accounts = uow.accounts(household_id)
        check_cash_flows(household_id, accounts, deposits, withdrawals)
        reports = {
            a.account_id: [
                *self._unapplied.pop(a.account_id, []),
                self.broker.collect(a.account_id),
            ]
            for a in accounts
        }
        try:
            with self.store.unit_of_work() as uow:
                result, orders, paid = self._run(
                    uow, household_id, accounts, session, deposits, withdrawals, reports, view
                )
        except BaseException:
            for account_id, pending in reports.items():
                self._unapplied[account_id] = pending
            raise
        for account_id, amount in deposits.items():
            if amount > 0:
                self.broker.deposit(account_id, amount)
        for withdrawal in paid:
            self.broker.withdraw(withdrawal.account_id, withdrawal.amount)
        for order in orders:
            self.broker.submit(order)
        return result

    # -- the run ----------------------------------------------------------------------------

    def _run(
        self,
        uow: UnitOfWork,
        household_id: str,
        accounts: tuple[Account, ...],
        session: date,
        deposits: Mapping[str, Decimal],
        withdrawals: Mapping[str, Decimal],
        reports: Mapping[str, list[BrokerReport]],
        view: MarketView,
    ) -> tuple[HouseholdResult, tuple[Order, ...], tuple[Withdrawal, ...]]:
        books: dict[str, Book] = {}
        new_lots: dict[str, list[Lot]] = {}
        disposals: dict[str, list[Disposal]] = {}
        fills_of: dict[str, tuple[Fill, ...]] = {}
        events: list[AuditEvent] = []
        entries: list[JournalEntry] = []
        stored: dict[str, tuple[Lot, ...]] = {}
        payouts: dict[str, Payout] = {}
        for account in accounts:
            stored[account.account_id] = uow.lots(account.account_id)
            book, lots, sold, fills = self._book(
                uow,
                account,
                stored[account.account_id],
                session,
                deposits.get(account.account_id, ZERO),
                reports[account.account_id],
                entries,
                events,
            )
            payout = pay_withdrawals(
                uow, book, session, withdrawals.get(account.account_id), self.ids, self.actor
            )
            entries.extend(payout.entries)
            events.extend(payout.events)
            payouts[account.account_id] = payout
            books[account.account_id] = payout.book
            new_lots[account.account_id] = lots
            disposals[account.account_id] = sold
            fills_of[account.account_id] = fills

        purchases, losses = uow.wash_window(household_id)
        window = WashSaleWindow(household_id, purchases, losses)
        washes: list[WashSale] = []
        for account in accounts:  # the day's sales first (the broker fills sells before buys)
            window, found = window.record_disposals(
                disposals[account.account_id], account, self.identity, self.ids
            )
            washes.extend(found)
        for account in accounts:
            for lot in new_lots[account.account_id]:
                window, found = window.record_purchase(lot, account, self.identity, self.ids)
                washes.extend(found)
        if washes:
            for account_id, book in books.items():
                adjusted = apply_to_lots(book.lots, washes, self.ids)
                books[account_id] = Book(account_id, book.cash, adjusted)
            for wash in washes:
                events.append(
                    self._event(
                        session,
                        wash.loss_account_id,
                        "wash_sale",
                        f"loss of ${wash.disallowed:,.2f} on {wash.ticker_sold} sold {wash.sold} "
                        f"disallowed: replacement {wash.ticker_bought} bought {wash.bought} in "
                        f"{wash.replacement_account_id}"
                        + (" (an IRA: lost for good)" if wash.permanent else ""),
                    )
                )
        window = window.pruned(session)
        if window.purchases != purchases or window.losses != losses:
            uow.replace_wash_window(household_id, window.purchases, window.losses)
        uow.add_wash_sales(washes)

        guard = HouseholdWashGuard(window, self.identity, _earliest_trade(session))
        funds = FundMenuAt(self.family.classes, view)
        closes = view.last("close")
        ordered = sorted(accounts, key=lambda a: (not a.account_type.is_taxable, a.account_id))
        cases: list[AccountCase] = []
        valued_of: dict[str, Valuation] = {}
        for account in ordered:
            book = books[account.account_id]
            target = self.family.target(self.level(account), view)
            tickers = set(book.positions()) | self._candidate_tickers(funds, target, account)
            prices = {t: float(closes[t]) for t in tickers if t in closes.index}
            valued = valuation(book, prices)
            valued_of[account.account_id] = valued
            owed = payouts[account.account_id].owed
            requested = withdrawals.get(account.account_id)
            if requested is not None and owed > valued.total:
                raise MicrofolioError(
                    f"withdrawal from {account.account_id} of ${requested:,.2f} is more than "
                    f"the account holds: ${owed:,.2f} would be owed against "
                    f"${valued.total:,.2f} at the close of {session}"
                )
            uow.set_cash(account.account_id, book.cash)
            if book.lots != stored[account.account_id]:
                uow.replace_lots(account.account_id, book.lots)
            uow.add_valuation(account.account_id, session, valued.cash, valued.market_value)
            inputs = AccountInputs(
                account=account,
                cash=valued.as_floats()[1],
                lots=lot_views(book.lots, prices, session),
                open_orders=len(uow.open_orders(account.account_id)),
                withdrawal=float(owed),
            )
            cases.append(AccountCase(inputs, prices, target, target.covariance))
        plans = self.planner.plan_household(cases, session, funds, guard)
        results: dict[str, AccountResult] = {}
        all_orders: list[Order] = []
        all_tickets: list[TradeTicket] = []
        for account, plan in zip(ordered, plans, strict=True):
            valued = valued_of[account.account_id]
            orders = tuple(ticket_to_order(t, self.ids.new("ord")) for t in plan.tickets)
            all_tickets.extend(plan.tickets)
            all_orders.extend(orders)
            events.extend(self._new_skips(session, account.account_id, plan.skipped))
            if plan.tickets:
                events.append(
                    self._event(
                        session,
                        account.account_id,
                        f"plan_{plan.action}",
                        f"{len(plan.tickets)} ticket(s); drift {plan.drift_before:.2%} before, "
                        f"{plan.drift_after_cash_flow:.2%} after cash flows",
                    )
                )
            results[account.account_id] = AccountResult(
                account_id=account.account_id,
                session=session,
                cash=valued.cash,
                market_value=valued.market_value,
                deposit=deposits.get(account.account_id, ZERO),
                plan=plan,
                fills=fills_of[account.account_id],
                orders=orders,
                disposals=tuple(disposals[account.account_id]),
                weights=valued.weights().weights,
                withdrawal=payouts[account.account_id].amount,
                withdrawal_pending=payouts[account.account_id].owed,
            )
        uow.add_journal_entries(entries)
        uow.add_tickets(all_tickets)
        for order in all_orders:
            uow.save_order(order)
        uow.add_audit_events(events)
        in_order = {a.account_id: results[a.account_id] for a in accounts}
        return (
            HouseholdResult(household_id, session, in_order, tuple(washes)),
            tuple(all_orders),
            tuple(w for a in accounts for w in payouts[a.account_id].paid),
        )

    def _candidate_tickers(
        self, funds: FundMenuAt, target: ClassTarget, account: Account
    ) -> set[str]:
        out: set[str] = set()
        for asset_class in target.weights:
            out.update(funds.candidates(asset_class, account))
        return out

    def _book(
        self,
        uow: UnitOfWork,
        account: Account,
        stored: tuple[Lot, ...],
        session: date,
        deposit: Decimal,
        reports: list[BrokerReport],
        entries: list[JournalEntry],
        events: list[AuditEvent],
    ) -> tuple[Book, list[Lot], list[Disposal], tuple[Fill, ...]]:
        account_id = account.account_id
        book = Book(account_id=account_id, cash=uow.cash(account_id), lots=stored)
        lots: list[Lot] = []
        sold: list[Disposal] = []
        if deposit > 0:
            update = book.deposit(deposit, session, self.ids)
            book = update.book
            entries.append(update.entry)
            events.append(self._event(session, account_id, "deposit", f"deposit ${deposit:,.2f}"))
        fills = tuple(f for r in reports for f in r.fills)
        orders = {o.order_id: o for r in reports for o in r.orders}
        for fill in sorted(fills, key=lambda f: f.side is Side.BUY):
            update = book.apply_fill(fill, self.ids, self._selector(account, fill, orders))
            book = update.book
            entries.append(update.entry)
            sold.extend(update.disposals)
            if update.lot is not None:
                lots.append(update.lot)
        for report in reports:
            for order in report.orders:
                uow.save_order(order)
                why = report.reject_reason(order.order_id) or report.cancel_reason(order.order_id)
                if why:
                    events.append(self._event(session, account_id, f"order_{order.status}", why))
        uow.add_fills(fills)
        uow.add_disposals(sold)
        return book, lots, sold, fills

    def _selector(self, account: Account, fill: Fill, orders: Mapping[str, Order]) -> LotSelector:
        order = orders.get(fill.order_id)
        if order is not None and order.lot_ids:
            named = order.lot_ids

            def as_named(lots: Sequence[Lot], shares: Decimal) -> Sequence[Pick]:
                by_id = {lot.lot_id: lot for lot in lots}
                return take_in_order([by_id[i] for i in named if i in by_id], shares)

            return as_named
        method = (
            LotMethod.TAX_MIN if account.lot_method is LotMethod.SPECIFIC else account.lot_method
        )
        return selector_for(method, price=fill.price, session=fill.session)

    def _new_skips(
        self, session: date, account_id: str, skipped: Sequence[Skipped]
    ) -> list[AuditEvent]:
        """Audit events of the candidates skipped today that were not skipped, for the same
        reason, at the account's previous run."""
        before = self._skipping.get(account_id, frozenset())
        keys = [(s.ticker, str(s.side), str(s.kind)) for s in skipped]
        self._skipping[account_id] = frozenset(keys)
        return [
            self._event(session, account_id, f"skipped_{s.kind}", s.detail)
            for s, key in zip(skipped, keys, strict=True)
            if key not in before
        ]

    def _event(self, session: date, account_id: str, action: str, detail: str) -> AuditEvent:
        return AuditEvent(
            event_id=self.ids.new("evt"),
            session=session,
            actor=self.actor,
            action=action,
            account_id=account_id,
            detail=detail,
        )
