"""Invariants of the wash-sale window over random household histories.

A household of two taxable accounts (spouses) and an IRA trades VOO, IVV and SPY (one security
for the rule), VTI and ITOT (two) at random prices, with random lot picks. Each trade goes through the
ledger's ``Book`` and then the window, and the washes found are applied to the books at once, as
the daily cycle does. After every history:

* no loss sale has more shares matched than it sold, nor more disallowed than its loss, so the
  total disallowed is at most the total loss;
* no purchase has more shares matched than it bought;
* every wash is between identical securities, within 30 days, from a taxable loss; permanent
  exactly when the replacement is in the IRA;
* the basis moved is conserved: what the non-permanent washes added equals the adjustments the
  lots still carry plus those their sales released;
* ``apply_to_lots`` conserves each account's shares and cost per ticker;
* replaying the same history after the fact (``replay``) finds the same wash sales and lots;
  replaying the history of books that never applied them keeps the invariants (and finds the
  same wash sales while no basis moved);
* a planner that respects ``blocking_losses`` before each buy and ``blocking_purchases`` before
  each sale that may realise a loss, deciding one day and filling up to days later, creates no
  wash sale at all.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from microfolio.domain import (
    ZERO,
    Account,
    AccountType,
    Disposal,
    Fill,
    Lot,
    SequentialIds,
    Side,
    quantity,
)
from microfolio.ledger import Book
from microfolio.tax.identical import SecurityIdentity
from microfolio.tax.lot_methods import specific
from microfolio.tax.wash_records import WashSale
from microfolio.tax.wash_sale import PART_SEPARATOR, WashSaleWindow, apply_to_lots, replay

HOUSEHOLD = "h"
ACCOUNTS = (
    Account("me", HOUSEHOLD, "taxable"),
    Account("spouse", HOUSEHOLD, "spouse taxable"),
    Account("ira", HOUSEHOLD, "ira", AccountType.TRADITIONAL_IRA),
)
TICKERS = ("VOO", "IVV", "SPY", "VTI", "ITOT")
IDENTITY = SecurityIdentity.default()
START = date(2023, 1, 2)


@dataclass(frozen=True)
class Step:
    gap: int  # days after the previous trade (0: same day)
    buy: bool
    account: int
    ticker: int
    shares: Decimal  # a buy's shares
    fraction: float  # a sale's share of the position
    first_lot: int  # where the sale's lot list starts
    price: Decimal
    lag: int  # days between the decision and the fill (guarded histories)


steps = st.builds(
    Step,
    gap=st.integers(min_value=0, max_value=6),
    buy=st.booleans(),
    account=st.integers(min_value=0, max_value=len(ACCOUNTS) - 1),
    ticker=st.integers(min_value=0, max_value=len(TICKERS) - 1),
    shares=st.decimals(min_value="1", max_value="60", places=2),
    fraction=st.floats(min_value=0.05, max_value=1.0),
    first_lot=st.integers(min_value=0, max_value=20),
    price=st.decimals(min_value="60", max_value="140", places=2),
    lag=st.integers(min_value=0, max_value=3),
)
histories = st.lists(steps, min_size=8, max_size=40)


@dataclass
class Household:
    """Books, the window and every record of one simulated household."""

    apply_washes: bool = True
    books: dict[str, Book] = field(
        default_factory=lambda: {
            a.account_id: Book(a.account_id, Decimal("100000000.00")) for a in ACCOUNTS
        }
    )
    window: WashSaleWindow = field(default_factory=lambda: WashSaleWindow(HOUSEHOLD))
    book_ids: SequentialIds = field(default_factory=lambda: SequentialIds("b"))
    wash_ids: SequentialIds = field(default_factory=lambda: SequentialIds("w"))
    washes: list[WashSale] = field(default_factory=list)
    events: list[Lot | Disposal] = field(default_factory=list)
    disposals: list[Disposal] = field(default_factory=list)
    losses: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # id: shares, loss
    bought: dict[str, Decimal] = field(default_factory=dict)
    n: int = 0

    def fill(
        self, account: Account, ticker: str, side: Side, shares: Decimal, price: Decimal, on: date
    ) -> Fill:
        self.n += 1
        return Fill(
            f"f{self.n}",
            f"o{self.n}",
            account.account_id,
            ticker,
            side,
            shares,
            price,
            ZERO,
            on,
            price,
        )

    def buy(self, account: Account, ticker: str, shares: Decimal, price: Decimal, on: date) -> None:
        update = self.books[account.account_id].apply_fill(
            self.fill(account, ticker, Side.BUY, shares, price, on), self.book_ids
        )
        assert update.lot is not None
        self.books[account.account_id] = update.book
        self.events.append(update.lot)
        self.bought[update.lot.lot_id] = update.lot.quantity
        self.window = self.window.pruned(on)
        self.window, found = self.window.record_purchase(
            update.lot, account, IDENTITY, self.wash_ids
        )
        self._found(found)

    def sell(
        self, account: Account, picks: Sequence[tuple[Lot, Decimal]], price: Decimal, on: date
    ) -> None:
        shares = sum((take for _, take in picks), ZERO)
        fill = self.fill(account, picks[0][0].ticker, Side.SELL, shares, price, on)
        update = self.books[account.account_id].apply_fill(
            fill, self.book_ids, specific([lot.lot_id for lot, _ in picks])
        )
        self.books[account.account_id] = update.book
        self.events.extend(update.disposals)
        self.disposals.extend(update.disposals)
        for d in update.disposals:
            if account.account_type.is_taxable and d.tax_gain < 0:
                self.losses[d.disposal_id] = (d.quantity, -d.tax_gain)
        self.window = self.window.pruned(on)
        self.window, found = self.window.record_disposals(
            update.disposals, account, IDENTITY, self.wash_ids
        )
        self._found(found)

    def _found(self, found: tuple[WashSale, ...]) -> None:
        self.washes.extend(found)
        if not self.apply_washes:
            return
        for account_id, book in self.books.items():
            adjusted = apply_to_lots(book.lots, found, self.wash_ids)
            assert _totals(adjusted) == _totals(book.lots)  # shares and cost conserved
            self.books[account_id] = dataclasses.replace(book, lots=adjusted)

    def lots(self) -> list[Lot]:
        return [lot for book in self.books.values() for lot in book.lots]


def _totals(lots: Sequence[Lot]) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for lot in lots:
        shares, cost = out.get(lot.ticker, (ZERO, ZERO))
        out[lot.ticker] = (shares + lot.quantity, cost + lot.cost)
    return out


def _picks(book: Book, ticker: str, step: Step) -> list[tuple[Lot, Decimal]]:
    """Lots of ``ticker`` from ``first_lot`` on (wrapping), about ``fraction`` of the position."""
    lots = list(book.lots_of(ticker))
    if not lots:
        return []
    start = step.first_lot % len(lots)
    ordered = lots[start:] + lots[:start]
    target = quantity(sum((lot.quantity for lot in lots), ZERO) * Decimal(str(step.fraction)))
    picks: list[tuple[Lot, Decimal]] = []
    left = target
    for lot in ordered:
        if left <= 0:
            break
        take = min(lot.quantity, left)
        picks.append((lot, take))
        left -= take
    return picks


def _run(history: Sequence[Step], apply_washes: bool = True) -> Household:
    household = Household(apply_washes=apply_washes)
    day = START
    for step in history:
        day += timedelta(days=step.gap)
        account = ACCOUNTS[step.account]
        ticker = TICKERS[step.ticker]
        if step.buy:
            household.buy(account, ticker, step.shares, step.price, day)
            continue
        picks = _picks(household.books[account.account_id], ticker, step)
        if picks:
            household.sell(account, picks, step.price, day)
    return household


def _purchase_of(wash: WashSale, bought: dict[str, Decimal]) -> str:
    lot_id = wash.replacement_lot_id
    while lot_id not in bought:
        assert PART_SEPARATOR in lot_id, f"{wash.replacement_lot_id} names no purchase"
        lot_id = lot_id.rsplit(PART_SEPARATOR, 1)[0]
    return lot_id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_wash_sales_conserve_shares_losses_and_basis(history: list[Step]) -> None:
    household = _run(history)
    washes = household.washes
    event(f"wash sales: {min(len(washes), 5)}{'+' if len(washes) >= 5 else ''}")

    # per loss sale: shares and loss never over-matched; so neither is the total
    matched: dict[str, Decimal] = defaultdict(lambda: ZERO)
    disallowed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for wash in washes:
        matched[wash.loss_disposal_id] += wash.shares
        disallowed[wash.loss_disposal_id] += wash.disallowed
    for disposal_id, shares in matched.items():
        sold, loss = household.losses[disposal_id]
        assert shares <= sold
        assert disallowed[disposal_id] <= loss
        if shares == sold:
            assert disallowed[disposal_id] == loss  # a fully washed loss is all disallowed
    total_loss = sum((loss for _, loss in household.losses.values()), ZERO)
    assert sum((w.disallowed for w in washes), ZERO) <= total_loss

    # per purchase: each replacement share used once
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for wash in washes:
        used[_purchase_of(wash, household.bought)] += wash.shares
    for lot_id, shares in used.items():
        assert shares <= household.bought[lot_id]

    # each wash follows the rule
    by_id = {a.account_id: a for a in ACCOUNTS}
    for wash in washes:
        assert IDENTITY.identical(wash.ticker_sold, wash.ticker_bought)
        assert abs((wash.bought - wash.sold).days) <= 30
        assert by_id[wash.loss_account_id].account_type.is_taxable
        assert wash.permanent is (not by_id[wash.replacement_account_id].account_type.is_taxable)

    # basis moved = adjustments still in lots + adjustments released by later sales
    added = sum((w.basis_added for w in washes if not w.permanent), ZERO)
    carried = sum((lot.basis_adjustment for lot in household.lots()), ZERO)
    released = sum((d.basis_adjustment for d in household.disposals), ZERO)
    assert added == carried + released

    # the after-the-fact replay of this history finds the same wash sales and lots
    replayed = replay(household.events, ACCOUNTS, IDENTITY, SequentialIds("w"))
    assert replayed.washes == tuple(washes)
    for account_id, book in household.books.items():
        assert replayed.lots_by_account[account_id] == book.lots


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_replaying_books_that_never_applied_the_washes_keeps_the_invariants(
    history: list[Step],
) -> None:
    applied = _run(history)
    raw = _run(history, apply_washes=False)

    replayed = replay(raw.events, ACCOUNTS, IDENTITY, SequentialIds("w"))

    if all(w.permanent for w in applied.washes):  # no basis moved: the histories agree
        event("no basis moved")
        assert replayed.washes == tuple(applied.washes)
    losses = {d.disposal_id: -d.tax_gain for d in replayed.disposals if d.tax_gain < 0}
    sold = {d.disposal_id: d.quantity for d in replayed.disposals}
    matched: dict[str, Decimal] = defaultdict(lambda: ZERO)
    disallowed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for wash in replayed.washes:
        matched[wash.loss_disposal_id] += wash.shares
        disallowed[wash.loss_disposal_id] += wash.disallowed
    for disposal_id, shares in matched.items():
        assert shares <= sold[disposal_id]
        assert disallowed[disposal_id] <= losses[disposal_id]
    added = sum((w.basis_added for w in replayed.washes if not w.permanent), ZERO)
    carried = sum(
        (lot.basis_adjustment for lots in replayed.lots_by_account.values() for lot in lots),
        ZERO,
    )
    released = sum((d.basis_adjustment for d in replayed.disposals), ZERO)
    assert added == carried + released
    # the same shares as the books hold, and every cent of cost bought is held or sold (the
    # split lots may round a sale's released cost a cent apart from the books' unsplit lots)
    for account_id, book in raw.books.items():
        held = replayed.lots_by_account[account_id]
        assert {t: q for t, (q, _) in _totals(held).items()} == {
            t: q for t, (q, _) in _totals(book.lots).items()
        }
        bought = sum(
            (e.cost for e in raw.events if isinstance(e, Lot) and e.account_id == account_id), ZERO
        )
        sold_cost = sum((d.cost for d in replayed.disposals if d.account_id == account_id), ZERO)
        assert bought == sum((lot.cost for lot in held), ZERO) + sold_cost


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_a_planner_that_respects_the_guard_never_creates_a_wash_sale(history: list[Step]) -> None:
    household = Household()
    decided = START
    skipped = 0
    for step in history:
        decided += timedelta(days=step.gap)  # decided after this day's close ...
        earliest = decided + timedelta(days=1)  # ... so it trades the next day at the earliest
        fills = earliest + timedelta(days=step.lag)
        account = ACCOUNTS[step.account]
        ticker = TICKERS[step.ticker]
        key = IDENTITY.key(ticker)
        if step.buy:
            if household.window.blocking_losses(key, earliest):
                skipped += 1
            else:
                household.buy(account, ticker, step.shares, step.price, fills)
        else:
            picks = _picks(household.books[account.account_id], ticker, step)
            margin = Decimal("0.10")  # "may realise a loss", with room for rounding
            may_lose = account.account_type.is_taxable and any(
                take * step.price < lot.tax_cost * take / lot.quantity + margin
                for lot, take in picks
            )
            selling = {lot.lot_id: take for lot, take in picks}
            if may_lose and household.window.blocking_purchases(key, earliest, selling):
                skipped += 1
            elif picks:
                household.sell(account, picks, step.price, fills)
        decided = fills
    event(f"trades skipped by the guard: {min(skipped, 3)}{'+' if skipped >= 3 else ''}")

    assert household.washes == []
