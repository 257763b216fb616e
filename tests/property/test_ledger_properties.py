"""Invariants of the ledger, alone (synthetic fills) and reconciled against the simulated broker.

The identities checked after every change:

* at cost: ``cash + sum(lot.cost) == deposits - withdrawals + realised gains``, where the
  realised gains are net of every commission (a buy's commission is in the lot's basis, a
  sale's is netted from its proceeds), so costs move value only through basis and gains;
* at market: ``valuation.total == cash + sum(money(quantity * price))`` per ticker, and the
  weights with cash sum to one;
* the lots of each ticker sum to its position, and nothing (cash, a lot, a basis) is negative;
* every journal entry balances, and the journal's balances equal the book: asset:cash is the
  book's cash, asset:securities:T the cost of T's lots, equity:contributions minus the net
  deposits, income:realized_gain minus the realised gains;
* a sale's disposals add up to its quantity, its net proceeds and the basis it released;
* (end to end) after every session the broker's cash and positions equal the book's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from microfolio.domain import (
    ZERO,
    Disposal,
    Fill,
    JournalEntry,
    LedgerAccount,
    Order,
    SequentialIds,
    Side,
    money,
    quantity,
)
from microfolio.errors import InsufficientHoldingsError, InvariantError
from microfolio.execution import CostModel, SimulatedBroker
from microfolio.ledger import Book, BookUpdate, trial_balance, valuation, weights

TICKERS = ("AAA", "BBB", "CCC")
START = date(2024, 1, 1)

cents = st.decimals(min_value="0.01", max_value="20000", places=2)
prices = st.floats(min_value=0.5, max_value=900)
fractions = st.floats(min_value=0.01, max_value=1.1)


@dataclass
class History:
    """A book with everything that made it, and the checks that tie them together."""

    book: Book = field(default_factory=lambda: Book("acc"))
    ids: SequentialIds = field(default_factory=SequentialIds)
    net_deposits: Decimal = ZERO
    entries: list[JournalEntry] = field(default_factory=list)
    disposals: list[Disposal] = field(default_factory=list)

    def record(self, update: BookUpdate) -> None:
        self.book = update.book
        self.entries.append(update.entry)
        self.disposals.extend(update.disposals)

    def deposit(self, amount: Decimal, session: date) -> None:
        self.record(self.book.deposit(amount, session, self.ids))
        self.net_deposits += amount

    def withdraw(self, amount: Decimal, session: date) -> None:
        self.record(self.book.withdraw(amount, session, self.ids))
        self.net_deposits -= amount

    def apply(self, fill: Fill) -> None:
        before = self.book.position(fill.ticker)
        update = self.book.apply_fill(fill, self.ids)
        self.record(update)
        if fill.side is Side.SELL:
            assert sum((d.quantity for d in update.disposals), ZERO) == fill.quantity
            assert sum((d.proceeds for d in update.disposals), ZERO) == fill.cash_delta
            assert self.book.position(fill.ticker) == before - fill.quantity
        else:
            assert update.lot is not None
            assert update.lot.cost == -fill.cash_delta
            assert self.book.position(fill.ticker) == before + fill.quantity

    def check(self, marks: dict[str, float]) -> None:
        book = self.book
        gains = sum((d.gain for d in self.disposals), ZERO)
        # at cost
        assert book.cash + book.total_cost() == self.net_deposits + gains
        # nothing negative; lots sum to positions
        assert book.cash >= 0
        assert all(lot.quantity > 0 and lot.cost >= 0 for lot in book.lots)
        for ticker, shares in book.positions().items():
            assert shares == sum((lot.quantity for lot in book.lots_of(ticker)), ZERO)
        # the journal equals the book
        balances = trial_balance(self.entries)
        assert sum(balances.values(), ZERO) == 0
        assert balances.get(LedgerAccount.CASH, ZERO) == book.cash
        assert balances.get(LedgerAccount.CONTRIBUTIONS, ZERO) == -self.net_deposits
        assert balances.get(LedgerAccount.REALIZED_GAIN, ZERO) == -gains
        for ticker in TICKERS:
            securities = balances.get(LedgerAccount.securities(ticker), ZERO)
            assert securities == book.cost_basis(ticker)
        # at market
        valued = valuation(book, marks)
        held = book.positions()
        expected = {t: money(q * Decimal(repr(marks[t]))) for t, q in held.items()}
        assert dict(valued.values) == expected
        assert valued.total == book.cash + sum(expected.values(), ZERO)
        weighted = weights(book, marks)
        assert math.fsum(weighted.weights.values()) + weighted.cash == pytest.approx(1, abs=1e-9)
        assert all(w >= 0 for w in weighted.weights.values())
        assert weighted.cash >= 0


# -- the book alone, fed synthetic fills ----------------------------------------------------

buys = st.tuples(st.just("buy"), st.sampled_from(TICKERS), fractions, prices, st.integers(0, 30))
#: a sale picks among the tickers held (by index), so that most scripts do sell something
sells = st.tuples(st.just("sell"), st.integers(0, 2), fractions, prices, st.integers(0, 30))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), cents),
        st.tuples(st.just("withdraw"), cents),
        buys,
        sells,
        sells,
    ),
    min_size=3,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(opening=cents, script=steps)
def test_book_identities_hold_for_any_sequence_of_fills(
    opening: Decimal, script: list[tuple[object, ...]]
) -> None:
    history = History()
    history.deposit(opening, START)
    marks = dict.fromkeys(TICKERS, 100.0)
    for n, step in enumerate(script):
        session = START + timedelta(days=n + 1)
        match step:
            case ("deposit", Decimal() as amount):
                history.deposit(amount, session)
            case ("withdraw", Decimal() as amount) if amount <= history.book.cash:
                history.withdraw(amount, session)
            case ("withdraw", Decimal() as amount):
                with pytest.raises(InsufficientHoldingsError):
                    history.book.withdraw(amount, session, history.ids)
            case ("sell", int(index), float(part), float(mark), int(bps)):
                held = sorted(history.book.positions())
                ticker = held[index % len(held)] if held else TICKERS[index]
                marks[ticker] = mark
                _book_or_refuse(history, _fill(history.book, n, Side.SELL, ticker, part, mark, bps))
            case ("buy", str(ticker), float(part), float(mark), int(bps)):
                marks[ticker] = mark
                _book_or_refuse(history, _fill(history.book, n, Side.BUY, ticker, part, mark, bps))
        history.check(marks)
    event(f"sales booked: {min(len({d.fill_id for d in history.disposals}), 3)}+")


def _book_or_refuse(history: History, fill: Fill | None) -> None:
    """Book ``fill``, or check that the book refuses it when it oversells or overspends."""
    if fill is None:
        return
    if fill.side is Side.SELL and fill.quantity > history.book.position(fill.ticker):
        with pytest.raises(InsufficientHoldingsError):
            history.book.apply_fill(fill, history.ids)
    elif history.book.cash + fill.cash_delta < 0:
        with pytest.raises(InvariantError):
            history.book.apply_fill(fill, history.ids)
    else:
        history.apply(fill)


def _fill(
    book: Book, n: int, side: Side, ticker: str, part: float, mark: float, bps: int
) -> Fill | None:
    """A fill for ``part`` of the cash (buy) or of the position (sell), at ``mark``."""
    fill_price = Decimal(repr(mark)).quantize(Decimal("0.0001"))
    if side is Side.BUY:
        shares = quantity(book.cash * Decimal(repr(part)) / fill_price)
    else:
        shares = quantity(book.position(ticker) * Decimal(repr(part)))
    if shares <= 0:
        return None
    return Fill(
        fill_id=f"fill-{n}",
        order_id=f"ord-{n}",
        account_id=book.account_id,
        ticker=ticker,
        side=side,
        quantity=shares,
        price=fill_price,
        commission=money(shares * fill_price * bps / 10_000),
        session=START + timedelta(days=n + 1),
        reference_price=fill_price,
    )


# -- end to end: the simulated broker's fills booked, and the two reconciled ------------------


class Opens:
    def __init__(self) -> None:
        self.opens: dict[tuple[str, date], float | None] = {}

    def open_price(self, ticker: str, session: date) -> float | None:
        return self.opens.get((ticker, session))


bars = st.one_of(st.none(), prices, prices, prices)
orders = st.one_of(
    st.tuples(st.just("buy_shares"), st.sampled_from(TICKERS), st.floats(0.001, 40)),
    st.tuples(st.just("buy_notional"), st.sampled_from(TICKERS), cents),
    st.tuples(st.just("sell"), st.sampled_from(TICKERS), fractions),
)
sessions = st.lists(
    st.tuples(
        st.one_of(st.just(ZERO), cents),  # deposit after the close
        st.one_of(st.just(ZERO), cents),  # withdrawal after the close (when the cash allows)
        st.lists(orders, max_size=5),
        st.tuples(bars, bars, bars),  # the next session's opens
    ),
    min_size=1,
    max_size=10,
)
costs_models = st.builds(
    CostModel,
    half_spread_bps=st.floats(0, 30),
    commission_bps=st.floats(0, 20),
    min_commission=st.sampled_from([ZERO, Decimal("1.00")]),
)


@settings(max_examples=120, deadline=None)
@given(costs=costs_models, opening=cents, script=sessions)
def test_book_reconciles_with_the_simulated_broker_after_every_session(
    costs: CostModel,
    opening: Decimal,
    script: list[tuple[Decimal, Decimal, list[tuple[object, ...]], tuple[float | None, ...]]],
) -> None:
    opens = Opens()
    broker = SimulatedBroker(opens, costs, SequentialIds("broker"))
    history = History()
    marks = dict.fromkeys(TICKERS, 100.0)
    session = START
    history.deposit(opening, session)
    broker.deposit("acc", opening)
    n = 0
    for deposit, withdrawal, todo, bar in script:
        if deposit > 0:
            history.deposit(deposit, session)
            broker.deposit("acc", deposit)
        if 0 < withdrawal <= history.book.cash:
            history.withdraw(withdrawal, session)
            broker.withdraw("acc", withdrawal)
        for kind, ticker, size in todo:
            assert isinstance(ticker, str)
            n += 1
            if kind == "buy_shares":
                assert isinstance(size, float)
                order = _order(n, ticker, Side.BUY, session, shares=quantity(size))
            elif kind == "buy_notional":
                assert isinstance(size, Decimal)
                order = _order(n, ticker, Side.BUY, session, notional=size)
            else:
                assert isinstance(size, float)
                held = history.book.position(ticker)
                shares = quantity(held * Decimal(repr(size))) or Decimal("1")
                order = _order(n, ticker, Side.SELL, session, shares=shares)
            broker.submit(order)
        session += timedelta(days=1)
        for ticker, price in zip(TICKERS, bar, strict=True):
            opens.opens[(ticker, session)] = price
            if price is not None:
                marks[ticker] = price
        broker.advance(session)
        report = broker.collect("acc")
        for fill in report.fills:
            history.apply(fill)
        assert report.cash == broker.cash("acc") == history.book.cash
        assert dict(report.positions) == broker.positions("acc") == history.book.positions()
        history.check(marks)
    event(f"broker sales booked: {min(len({d.fill_id for d in history.disposals}), 3)}+")
    event(f"broker buys booked: {min(sum(1 for lot in history.book.lots), 3)}+ lots open")


def _order(
    n: int,
    ticker: str,
    side: Side,
    created: date,
    shares: Decimal | None = None,
    notional: Decimal | None = None,
) -> Order:
    if shares is not None and shares <= 0:
        shares = Decimal("0.000001")
    return Order(f"ord-{n}", "acc", ticker, side, created, quantity=shares, notional=notional)
