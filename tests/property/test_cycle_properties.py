"""Invariants of the whole daily cycle on real data, under random deposits.

Between two closes, an account's value changes only by the deposit, the price moves of what it
held, the move from the open to the close of what it traded, and the costs it paid.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microfolio.domain import ZERO, Side
from support.world import bundled_market, make_world


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    start=st.integers(min_value=300, max_value=3000),
    deposits=st.lists(
        st.decimals(min_value=Decimal("0"), max_value=Decimal("50000"), places=2),
        min_size=25,
        max_size=25,
    ),
    first=st.decimals(min_value=Decimal("100"), max_value=Decimal("1000000"), places=2),
)
def test_value_changes_only_by_deposits_price_moves_and_costs(
    start: int, deposits: list[Decimal], first: Decimal
) -> None:
    market = bundled_market()
    sessions = [ts.date() for ts in market.sessions[start : start + 25]]
    flows = [first, *[d if i % 5 == 0 else ZERO for i, d in enumerate(deposits[1:], 1)]]
    with TemporaryDirectory() as tmp:
        world = make_world(market, Path(tmp))
        previous_value = ZERO
        previous_shares: dict[str, Decimal] = {}
        previous_close: dict[str, float] = {}
        for session, deposit in zip(sessions, flows, strict=True):
            world.broker.advance(session)
            result = world.cycle.run("acct-1", session, deposit)
            view = market.view(session)
            close = {str(t): float(v) for t, v in view.last("close").items()}
            with world.store.unit_of_work() as uow:
                lots = uow.lots("acct-1")
                cash = uow.cash("acct-1")
            shares: dict[str, Decimal] = {}
            for lot in lots:
                shares[lot.ticker] = shares.get(lot.ticker, ZERO) + lot.quantity

            # nothing goes negative; lots sum to positions
            assert cash >= 0
            assert all(q > 0 for q in shares.values())
            assert result.cash == cash

            explained = sum(
                float(q) * (close[t] - previous_close[t]) for t, q in previous_shares.items()
            )
            for fill in result.fills:
                sign = 1.0 if fill.side is Side.BUY else -1.0
                explained += (
                    sign * float(fill.quantity) * (close[fill.ticker] - float(fill.reference_price))
                )
                explained -= float(fill.spread_cost + fill.commission)
            change = float(result.total - previous_value - deposit)
            tolerance = 0.01 * (2 * len(result.fills) + len(shares) + 2)
            assert abs(change - explained) <= tolerance, (session, change, explained)

            previous_value = result.total
            previous_shares = shares
            previous_close = close
        world.store.dispose()
