"""Invariants of the whole daily cycle on real data, under random deposits, for every account of
a household (fractional taxable, whole-share taxable, IRA).

Between two closes, an account's value changes only by the deposit, the price moves of what it
held, the move from the open to the close of what it traded, and the costs it paid. Cash never
goes negative, the lots sum to the positions, and the engine's own trades never make a wash sale.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microfolio.domain import ZERO, Side
from support.world import ACCOUNTS, bundled_market, make_world

SESSIONS = 25
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("50000"), places=2)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    start=st.integers(min_value=300, max_value=3000),
    deposits=st.lists(
        st.fixed_dictionaries({a.account_id: money for a in ACCOUNTS}),
        min_size=SESSIONS,
        max_size=SESSIONS,
    ),
    first=st.fixed_dictionaries(
        {
            a.account_id: st.decimals(
                min_value=Decimal("100"), max_value=Decimal("1000000"), places=2
            )
            for a in ACCOUNTS
        }
    ),
)
def test_value_changes_only_by_deposits_price_moves_and_costs(
    start: int, deposits: list[dict[str, Decimal]], first: dict[str, Decimal]
) -> None:
    market = bundled_market()
    sessions = [ts.date() for ts in market.sessions[start : start + SESSIONS]]
    zero = dict.fromkeys(first, ZERO)
    flows = [first, *[d if i % 5 == 0 else zero for i, d in enumerate(deposits[1:], 1)]]
    with TemporaryDirectory() as tmp:
        world = make_world(market, Path(tmp))
        previous_value = dict(zero)
        previous_shares: dict[str, dict[str, Decimal]] = {a: {} for a in first}
        previous_close: dict[str, float] = {}
        for session, deposit in zip(sessions, flows, strict=True):
            result = world.step(session, deposit)
            view = market.view(session)
            close = {str(t): float(v) for t, v in view.last("close").items()}
            assert result.wash_sales == ()
            for account_id, account in result.accounts.items():
                with world.store.unit_of_work() as uow:
                    lots = uow.lots(account_id)
                    cash = uow.cash(account_id)
                shares: dict[str, Decimal] = {}
                for lot in lots:
                    shares[lot.ticker] = shares.get(lot.ticker, ZERO) + lot.quantity

                # nothing goes negative; lots sum to positions, the broker's among them
                assert cash >= 0
                assert all(q > 0 for q in shares.values())
                assert account.cash == cash
                assert cash == world.broker.cash(account_id)
                held = world.broker.positions(account_id)
                assert shares == {t: q for t, q in held.items() if q != 0}
                assert all(d.basis_adjustment == 0 for d in account.disposals)

                explained = sum(
                    float(q) * (close[t] - previous_close[t])
                    for t, q in previous_shares[account_id].items()
                )
                for fill in account.fills:
                    sign = 1.0 if fill.side is Side.BUY else -1.0
                    explained += (
                        sign
                        * float(fill.quantity)
                        * (close[fill.ticker] - float(fill.reference_price))
                    )
                    explained -= float(fill.spread_cost + fill.commission)
                change = float(account.total - previous_value[account_id] - deposit[account_id])
                tolerance = 0.01 * (2 * len(account.fills) + len(shares) + 2)
                assert abs(change - explained) <= tolerance, (account_id, session, change)

                previous_value[account_id] = account.total
                previous_shares[account_id] = shares
            previous_close = close
        with world.store.unit_of_work() as uow:
            assert uow.wash_sales(world.household_id) == ()
        world.store.dispose()
