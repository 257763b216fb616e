"""Property: whatever is deposited and ordered, the broker never overdraws and loses no cent.

For random cost models, deposits, withdrawals, orders, cancels and sessions (with missing bars),
after every step: cash and every position are >= 0, cash equals deposits - withdrawals + the sum
of the fills' cash_delta, and each position equals the signed sum of its fills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from execution_helpers import OpenTable
from hypothesis import event, given, settings
from hypothesis import strategies as st

from microfolio.domain import ZERO, Fill, Order, SequentialIds, Side, quantity
from microfolio.errors import IllegalTransitionError, InsufficientHoldingsError, NotFoundError
from microfolio.execution import CostModel, SimulatedBroker

ACCOUNTS = ("a", "b")
TICKERS = ("AAA", "BBB")
START = date(2024, 1, 1)

accounts = st.sampled_from(ACCOUNTS)
tickers = st.sampled_from(TICKERS)
cents = st.decimals(min_value="0.01", max_value="5000", places=2)
costs_models = st.builds(
    CostModel,
    half_spread_bps=st.floats(0, 50),
    commission_bps=st.floats(0, 30),
    min_commission=st.sampled_from([ZERO, Decimal("0.50"), Decimal("1.00")]),
)
actions = st.one_of(
    st.tuples(st.just("deposit"), accounts, cents),
    st.tuples(st.just("withdraw"), accounts, cents),
    st.tuples(
        st.just("buy_shares"),
        accounts,
        tickers,
        st.decimals(min_value="0.000001", max_value="50", places=6),
    ),
    st.tuples(st.just("buy_notional"), accounts, tickers, cents),
    st.tuples(st.just("sell"), accounts, tickers, st.floats(0.01, 1.2)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
)
#: an open price, or no bar (None or NaN) a third of the time
bars = st.one_of(st.none(), st.just(math.nan), st.floats(0.5, 500), st.floats(0.5, 500))
#: each session: what the clients do after the close, then the next open's bars
sessions = st.lists(
    st.tuples(st.lists(actions, max_size=6), st.tuples(bars, bars)), min_size=1, max_size=8
)


@dataclass
class Expected:
    """What the broker must report, rebuilt from the cash movements and the fills."""

    opened: set[str] = field(default_factory=set)
    cash: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(ACCOUNTS, ZERO))
    shares: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def apply(self, fill: Fill) -> None:
        self.cash[fill.account_id] += fill.cash_delta
        key = (fill.account_id, fill.ticker)
        self.shares[key] = self.shares.get(key, ZERO) + fill.side.sign * fill.quantity

    def positions(self, account: str) -> dict[str, Decimal]:
        return {t: q for (a, t), q in self.shares.items() if a == account and q != 0}


@settings(max_examples=150, deadline=None)
@given(costs=costs_models, opening=st.tuples(cents, cents), script=sessions)
def test_broker_never_overdraws_and_conserves_cash(
    costs: CostModel,
    opening: tuple[Decimal, Decimal],
    script: list[tuple[list[tuple[object, ...]], tuple[float | None, float | None]]],
) -> None:
    opens = OpenTable()
    broker = SimulatedBroker(opens, costs, SequentialIds())
    expected = Expected()
    submitted: list[str] = []
    session = START
    for account, amount in zip(ACCOUNTS, opening, strict=True):
        _act(broker, expected, submitted, session, ("deposit", account, amount))
    for todo, (first, second) in script:
        for action in todo:
            _act(broker, expected, submitted, session, action)
            _check(broker, expected)
        session += timedelta(days=1)
        opens.opens.update({("AAA", session): first, ("BBB", session): second})
        broker.advance(session)
        _check(broker, expected)


def _act(
    broker: SimulatedBroker,
    expected: Expected,
    submitted: list[str],
    session: date,
    action: tuple[object, ...],
) -> None:
    match action:
        case ("deposit", str(account), Decimal() as amount):
            broker.deposit(account, amount)
            expected.cash[account] += amount
            expected.opened.add(account)
        case ("withdraw", str(account), Decimal() as amount):
            if account in expected.opened and amount <= expected.cash[account]:
                broker.withdraw(account, amount)
                expected.cash[account] -= amount
            else:
                with pytest.raises((InsufficientHoldingsError, NotFoundError)):
                    broker.withdraw(account, amount)
        case ("buy_shares", str(account), str(ticker), Decimal() as shares):
            submitted.append(
                broker.submit(_order(len(submitted), account, ticker, session, shares)).order_id
            )
        case ("buy_notional", str(account), str(ticker), Decimal() as notional):
            order = _order(len(submitted), account, ticker, session, notional=notional)
            submitted.append(broker.submit(order).order_id)
        case ("sell", str(account), str(ticker), float(fraction)):
            held = expected.shares.get((account, ticker), ZERO)
            shares = quantity(held * Decimal(repr(fraction))) or Decimal("0.5")
            order = _order(len(submitted), account, ticker, session, shares, side=Side.SELL)
            submitted.append(broker.submit(order).order_id)
        case ("cancel", int(index)) if submitted:
            order_id = submitted[index % len(submitted)]
            if broker.order(order_id).status.is_open:
                broker.cancel(order_id)
            else:
                with pytest.raises(IllegalTransitionError):
                    broker.cancel(order_id)


def _check(broker: SimulatedBroker, expected: Expected) -> None:
    for account in ACCOUNTS:
        fills = broker.collect(account).fills
        for fill in fills:
            expected.apply(fill)
        if fills:
            event("some session filled orders")
        positions = broker.positions(account)
        assert broker.cash(account) >= 0
        assert all(shares > 0 for shares in positions.values())
        assert broker.cash(account) == expected.cash[account]
        assert positions == expected.positions(account)


def _order(
    n: int,
    account: str,
    ticker: str,
    created: date,
    shares: Decimal | None = None,
    notional: Decimal | None = None,
    side: Side = Side.BUY,
) -> Order:
    return Order(f"ord-{n}", account, ticker, side, created, quantity=shares, notional=notional)
