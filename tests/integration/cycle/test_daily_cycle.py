from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from microfolio.data import MarketData, MarketView
from microfolio.domain import ZERO, LedgerAccount, OrderStatus, TargetPortfolio
from microfolio.errors import MicrofolioError
from support.world import DEPOSIT, World, make_world


def _sessions(market: MarketData, start: str, count: int) -> list[date]:
    sessions = market.sessions[market.sessions >= start][:count]
    return [ts.date() for ts in sessions]


def _run(world: World, sessions: list[date], deposits: dict[date, Decimal]) -> None:
    for session in sessions:
        world.broker.advance(session)
        for account_id in ("acct-1", "acct-2"):
            world.cycle.run(account_id, session, deposits.get(session, ZERO))


def test_a_deposit_is_invested_at_the_next_open_with_costs(world: World) -> None:
    first, second = _sessions(world.market, "2008-03-03", 2)

    planned = world.cycle.run("acct-1", first, DEPOSIT)
    world.broker.advance(second)
    settled = world.cycle.run("acct-1", second)

    assert planned.plan.action == "cash_flow"
    assert {o.ticker for o in planned.orders} == {"VTI", "EFA", "AGG", "VNQ", "GLD"}
    assert len(settled.fills) == 5
    opens = world.market.view(second).last("open")
    for fill in settled.fills:
        assert fill.session == second
        assert float(fill.reference_price) == pytest.approx(opens[fill.ticker], abs=1e-4)
        assert fill.price > fill.reference_price  # a buy pays the spread
        assert fill.commission > 0
    spent = sum((-f.cash_delta for f in settled.fills), ZERO)
    assert settled.cash == DEPOSIT - spent
    assert settled.cash >= 0
    # the 0.5% cash buffer is kept, and little else
    assert settled.cash / DEPOSIT < Decimal("0.01")


def test_store_matches_the_broker_and_the_journal_after_a_quarter(world: World) -> None:
    sessions = _sessions(world.market, "2008-07-01", 63)
    deposits = {sessions[0]: DEPOSIT, sessions[21]: Decimal("500"), sessions[42]: Decimal("500")}

    _run(world, sessions, deposits)

    with world.store.unit_of_work() as uow:
        for account_id in ("acct-1", "acct-2"):
            cash = uow.cash(account_id)
            lots = uow.lots(account_id)
            balances = uow.journal_balances(account_id)
            report = world.broker.collect(account_id)
            held: dict[str, Decimal] = {}
            for lot in lots:
                held[lot.ticker] = held.get(lot.ticker, ZERO) + lot.quantity
            assert cash >= 0
            assert all(lot.quantity > 0 for lot in lots)
            # reconciliation: the custodian and the ledger agree to the cent and the share
            assert report.fills == ()
            assert cash == report.cash
            assert held == {t: q for t, q in report.positions.items() if q != 0}
            # journal: cash account equals cash; securities at cost equal the lots' basis
            assert balances[LedgerAccount.CASH] == cash
            for ticker in held:
                basis = sum((lot.cost for lot in lots if lot.ticker == ticker), ZERO)
                assert balances[LedgerAccount.securities(ticker)] == basis
            assert -balances[LedgerAccount.CONTRIBUTIONS] == sum(deposits.values(), ZERO)
            assert sum(balances.values(), ZERO) == 0


def test_whole_share_account_holds_only_whole_shares(world: World) -> None:
    sessions = _sessions(world.market, "2009-01-02", 30)

    _run(world, sessions, {sessions[0]: DEPOSIT})

    with world.store.unit_of_work() as uow:
        lots = uow.lots("acct-2")
    assert lots
    assert all(lot.quantity == lot.quantity.to_integral_value() for lot in lots)


class _ExplodingModel:
    """A model that fails: the cycle has already written fills, cash and lots by then."""

    def target(self, view: MarketView) -> TargetPortfolio:
        raise MicrofolioError("model failed on purpose")


def _snapshot(world: World, account_id: str) -> tuple[object, ...]:
    with world.store.unit_of_work() as uow:
        return (
            uow.cash(account_id),
            uow.lots(account_id),
            uow.orders(account_id),
            uow.fills(account_id),
            uow.journal_balances(account_id),
            uow.valuations(account_id),
            uow.tickets(account_id),
        )


def test_a_failure_midway_leaves_the_account_as_it_was_and_the_fills_are_kept(
    market: MarketData, tmp_path: Path
) -> None:
    world = make_world(market, tmp_path)
    first, second, third = _sessions(market, "2010-05-03", 3)
    world.cycle.run("acct-1", first, DEPOSIT)
    world.broker.advance(second)
    before = _snapshot(world, "acct-1")
    good_model = world.cycle.model
    world.cycle.model = _ExplodingModel()

    with pytest.raises(MicrofolioError, match="on purpose"):
        world.cycle.run("acct-1", second)

    assert _snapshot(world, "acct-1") == before
    world.cycle.model = good_model
    retried = world.cycle.run("acct-1", second)
    assert len(retried.fills) == 5  # the broker's report was kept for the retry
    world.broker.advance(third)
    world.cycle.run("acct-1", third)
    with world.store.unit_of_work() as uow:
        assert uow.cash("acct-1") == world.broker.collect("acct-1").cash
        first_orders = [o for o in uow.orders("acct-1") if o.created == first]
    assert len(first_orders) == 5
    assert all(o.status is OrderStatus.FILLED for o in first_orders)
    world.store.dispose()


def test_a_date_that_is_not_a_session_is_refused(world: World) -> None:
    with pytest.raises(MicrofolioError, match="not a session"):
        world.cycle.run("acct-1", date(2010, 7, 4))
