"""No sequence of the engine's own decisions creates a wash sale anywhere in a household.

A household (taxable, spouse's taxable in whole shares, IRA) is driven over random price paths
with random overnight gaps, random deposits and fills one to four calendar days after each
decision, by the real planner (``AccountPlanner``) behind the real guard
(``HouseholdWashGuard``). Every fill goes through the books and the household's wash-sale window;
the window must never find a wash sale. Harvesting thresholds are set low so that the planner
harvests often and the guard is exercised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from microfolio.domain import (
    Account,
    AccountType,
    Fill,
    LotMethod,
    Order,
    SequentialIds,
    Side,
    money,
)
from microfolio.ledger import Book, lot_views
from microfolio.ledger.lot_selection import take_in_order
from microfolio.rebalance import (
    AccountInputs,
    AccountPlanner,
    DriftBands,
    HarvestPolicy,
    RebalancePolicy,
    TaxAwarePolicy,
)
from microfolio.services import ticket_to_order
from microfolio.tax import HouseholdWashGuard, SecurityIdentity, WashSaleWindow

CLASSES = {
    "VTI": "stocks",
    "ITOT": "stocks",
    "SCHB": "stocks",
    "AGG": "bonds",
    "SCHZ": "bonds",
    "BND": "bonds",
}
IDENTITY = SecurityIdentity(
    version="test",
    keys={
        "VTI": "crsp",
        "ITOT": "sp-tmi",
        "SCHB": "dj",
        "AGG": "agg",
        "SCHZ": "agg",
        "BND": "agg-fa",
    },
)
COV = {"stocks": {"stocks": 0.04, "bonds": 0.0}, "bonds": {"stocks": 0.0, "bonds": 0.0025}}
ACCOUNTS = (
    Account("a-tax", "hh", "Taxable", AccountType.TAXABLE, lot_method=LotMethod.TAX_MIN),
    Account(
        "a-sp", "hh", "Spouse", AccountType.TAXABLE, fractional=False, lot_method=LotMethod.HIFO
    ),
    Account("a-ira", "hh", "IRA", AccountType.TRADITIONAL_IRA),
)


@dataclass(frozen=True)
class Target:
    weights: Mapping[str, float]
    cash: float


class Funds:
    def class_of(self, ticker: str) -> str:
        return CLASSES[ticker]

    def candidates(self, asset_class: str, account: Account) -> tuple[str, ...]:
        funds = tuple(t for t, c in CLASSES.items() if c == asset_class)
        return funds if account.account_type.is_taxable else tuple(reversed(funds))


def _fill(order: Order, price: Decimal, session: dt.date, n: int) -> Fill | None:
    if order.limit_price is not None and price < order.limit_price:
        return None  # a gain-only sale whose limit the open did not reach
    if order.quantity is not None:
        quantity = order.quantity
    else:
        quantity = ((order.notional or Decimal(0)) / price).quantize(
            Decimal("0.000001"), ROUND_FLOOR
        )
    if quantity <= 0:
        return None
    return Fill(
        f"f{n}",
        order.order_id,
        order.account_id,
        order.ticker,
        order.side,
        quantity,
        price,
        Decimal(0),
        session,
        price,
    )


@dataclass
class Counts:
    harvests: int = 0
    loss_sales: int = 0
    blocked: int = 0


def simulate(seed: int, steps: int, vol: float) -> Counts:
    """Drive the household; assert that the window never finds a wash sale; count what the
    engine did (so that a test can check the property was exercised)."""
    counts = Counts()
    rng = np.random.default_rng(seed)
    ids = SequentialIds()
    tax = TaxAwarePolicy(
        harvest=HarvestPolicy(min_loss=1.0, min_loss_fraction=0.0, cost_multiple=0.0)
    )
    planner = AccountPlanner(RebalancePolicy(min_trade=1.0), DriftBands(), tax, ids)
    target = Target({"stocks": 0.6, "bonds": 0.395}, 0.005)
    books = {a.account_id: Book(a.account_id) for a in ACCOUNTS}
    window = WashSaleWindow("hh")
    closes = dict.fromkeys(CLASSES, 100.0)
    session = dt.date(2020, 1, 2)
    pending: list[Order] = []
    n = 0
    for step in range(steps):
        session += dt.timedelta(days=int(rng.integers(1, 5)))
        opens = {t: p * float(np.exp(rng.normal(0.0, vol))) for t, p in closes.items()}
        # the open: sells first, then buys, through the books
        lots_bought: dict[str, list] = {a.account_id: [] for a in ACCOUNTS}
        sold: dict[str, list] = {a.account_id: [] for a in ACCOUNTS}
        for order in sorted(pending, key=lambda o: o.side is Side.BUY):
            n += 1
            price = money(Decimal(repr(opens[order.ticker])) + Decimal(0))
            book = books[order.account_id]
            if order.side is Side.BUY and order.notional is not None:
                if book.cash <= 0:
                    continue
                order = Order(
                    order.order_id,
                    order.account_id,
                    order.ticker,
                    order.side,
                    order.created,
                    notional=min(order.notional, book.cash),
                )  # type: ignore[assignment]
                if order.notional is None or order.notional <= 0:
                    continue
            elif (
                order.side is Side.BUY
                and order.quantity is not None
                and order.quantity * price > book.cash
            ):
                continue
            fill = _fill(order, price, session, n)
            if fill is None:
                continue
            named = order.lot_ids

            def as_named(lots, shares, named=named):  # type: ignore[no-untyped-def]
                by_id = {lot.lot_id: lot for lot in lots}
                return take_in_order([by_id[i] for i in named if i in by_id], shares)

            update = (
                book.apply_fill(fill, ids, as_named if named else None)
                if named
                else book.apply_fill(fill, ids)
            )
            books[order.account_id] = update.book
            sold[order.account_id].extend(update.disposals)
            if update.lot is not None:
                lots_bought[order.account_id].append(update.lot)
        pending = []
        for account in ACCOUNTS:
            if account.account_type.is_taxable:
                counts.loss_sales += sum(1 for d in sold[account.account_id] if d.tax_gain < 0)
            window, washes = window.record_disposals(
                sold[account.account_id], account, IDENTITY, ids
            )
            assert washes == (), f"step {step}: the engine's sale made a wash sale: {washes}"
        for account in ACCOUNTS:
            for lot in lots_bought[account.account_id]:
                window, washes = window.record_purchase(lot, account, IDENTITY, ids)
                assert washes == (), (
                    f"step {step}: the engine's purchase made a wash sale: {washes}"
                )
        window = window.pruned(session)
        # the close: prices move on, deposits arrive, the household is planned
        closes = {t: p * float(np.exp(rng.normal(0.0, vol))) for t, p in opens.items()}
        guard = HouseholdWashGuard(window, IDENTITY, session + dt.timedelta(days=1))
        for account in ACCOUNTS:
            if step == 0 or rng.random() < 0.2:
                deposit = Decimal(int(rng.integers(1, 50)) * 100)
                books[account.account_id] = (
                    books[account.account_id].deposit(deposit, session, ids).book
                )
            book = books[account.account_id]
            inputs = AccountInputs(account, float(book.cash), lot_views(book.lots, closes, session))
            plan = planner.plan(inputs, session, closes, target, COV, Funds(), guard)
            pending.extend(ticket_to_order(t, ids.new("ord")) for t in plan.tickets)
            counts.harvests += "harvest" in plan.actions
            counts.blocked += sum(1 for s in plan.skipped if s.kind == "wash_sale")
    return counts


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(20, 80),
    vol=st.sampled_from([0.01, 0.03, 0.06]),
)
def test_the_engine_never_creates_a_wash_sale(seed: int, steps: int, vol: float) -> None:
    simulate(seed, steps, vol)


def test_the_simulation_exercises_harvests_and_the_guard() -> None:
    counts = simulate(seed=7, steps=80, vol=0.03)
    assert counts.harvests >= 3
    assert counts.loss_sales >= 3
    assert counts.blocked >= 1
