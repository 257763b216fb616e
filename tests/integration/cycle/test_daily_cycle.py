"""The daily cycle (``services.HouseholdCycle``) on the bundled data: deposits invested at the
next open, the store reconciled with the broker and the journal, whole shares, crash safety,
waiting on open orders, and the inputs it refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from microfolio.advisor import ClassTarget, ModelFamily
from microfolio.data import MarketData, MarketView
from microfolio.domain import ZERO, LedgerAccount, OrderStatus, Side
from microfolio.errors import MicrofolioError
from microfolio.services import FundMenuAt
from support.world import (
    ACCOUNTS,
    DEPOSIT,
    IRA,
    RISK_LEVEL,
    SPOUSE,
    TAXABLE,
    World,
    bundled_family,
    make_world,
    sessions_from,
)


def _everyone(amount: Decimal) -> dict[str, Decimal]:
    return {account.account_id: amount for account in ACCOUNTS}


def test_a_deposit_is_invested_at_the_next_open_with_costs(world: World) -> None:
    # Arrange
    first, second = sessions_from(world.market, "2008-03-03", 2)
    target = bundled_family().target(RISK_LEVEL, world.market.view(first))
    # Act
    planned = world.step(first, {TAXABLE: DEPOSIT, IRA: DEPOSIT})
    settled = world.step(second)
    # Assert: the deposit bought one fund per class of the target, at the next open
    taxable = planned.accounts[TAXABLE]
    assert taxable.plan.actions == ("cash_flow",)
    assert planned.accounts[SPOUSE].orders == ()  # no cash, nothing to do
    classes = world.cycle.family.classes
    wanted = {c for c, w in target.weights.items() if w * float(DEPOSIT) >= 10.0}
    bought = [classes.asset_class(o.ticker) for o in taxable.orders]
    assert sorted(bought) == sorted(wanted)
    assert all(o.side is Side.BUY and o.notional is not None for o in taxable.orders)
    # an IRA prefers the other funds of a class, to keep clear of the taxable accounts' harvests
    menu = FundMenuAt(classes, world.market.view(first))
    ira_bought = {o.ticker for o in planned.accounts[IRA].orders}
    choices = [
        o.ticker
        for o in taxable.orders
        if len(menu.candidates(classes.asset_class(o.ticker), ACCOUNTS[0])) > 1
    ]
    assert choices
    assert ira_bought.isdisjoint(choices)

    result = settled.accounts[TAXABLE]
    assert len(result.fills) == len(taxable.orders)
    opens = world.market.view(second).last("open")
    for fill in result.fills:
        assert fill.session == second
        assert float(fill.reference_price) == pytest.approx(opens[fill.ticker], abs=1e-4)
        assert fill.price > fill.reference_price  # a buy pays the spread
        assert fill.commission > 0
    spent = sum((-f.cash_delta for f in result.fills), ZERO)
    assert result.cash == DEPOSIT - spent
    # the 0.5% cash target is kept, and little else
    assert Decimal("0.004") < result.cash / DEPOSIT < Decimal("0.01")
    assert result.deposit == ZERO
    assert planned.accounts[TAXABLE].deposit == DEPOSIT


def test_each_account_follows_the_model_of_its_own_risk_level(world: World) -> None:
    # Arrange: the taxable account is at level 6, the IRA at level 4
    (session,) = sessions_from(world.market, "2008-03-03", 1)
    view = world.market.view(session)
    levels = {a.account_id: a.risk_level for a in ACCOUNTS}
    assert levels[TAXABLE] != levels[IRA]
    # Act
    planned = world.step(session, {TAXABLE: DEPOSIT, IRA: DEPOSIT})
    # Assert: a first deposit buys each class in proportion to the account's own target
    classes = world.cycle.family.classes
    for account_id in (TAXABLE, IRA):
        level = levels[account_id]
        assert level is not None
        target = bundled_family().target(level, view)
        orders = planned.accounts[account_id].orders
        spent = sum(float(o.notional or 0) for o in orders)
        bought = {classes.asset_class(o.ticker): float(o.notional or 0) / spent for o in orders}
        invested = sum(target.weights.values())
        wanted = {c: w / invested for c, w in target.weights.items() if w > 0.001}
        assert bought == pytest.approx(wanted, abs=1e-3), account_id


def test_store_matches_the_broker_and_the_journal_after_a_quarter(world: World) -> None:
    # Arrange
    sessions = sessions_from(world.market, "2008-07-01", 63)
    deposits = {
        sessions[0]: _everyone(DEPOSIT),
        sessions[21]: {TAXABLE: Decimal("500"), SPOUSE: Decimal("250")},
        sessions[42]: _everyone(Decimal("500")),
    }
    # Act
    world.run(sessions, deposits)
    # Assert
    with world.store.unit_of_work() as uow:
        for account_id in world.account_ids:
            cash = uow.cash(account_id)
            lots = uow.lots(account_id)
            balances = uow.journal_balances(account_id)
            report = world.broker.collect(account_id)
            held: dict[str, Decimal] = {}
            for lot in lots:
                held[lot.ticker] = held.get(lot.ticker, ZERO) + lot.quantity
            assert cash >= 0
            assert held
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
            paid_in = sum((d.get(account_id, ZERO) for d in deposits.values()), ZERO)
            assert -balances[LedgerAccount.CONTRIBUTIONS] == paid_in
            assert sum(balances.values(), ZERO) == 0


def test_the_whole_share_account_holds_only_whole_shares(world: World) -> None:
    sessions = sessions_from(world.market, "2009-01-02", 30)

    world.run(sessions, {sessions[0]: _everyone(DEPOSIT)})

    with world.store.unit_of_work() as uow:
        whole = uow.lots(SPOUSE)
        whole_fills = uow.fills(SPOUSE)
        fractional = uow.lots(TAXABLE)
    assert whole
    assert whole_fills
    assert all(lot.quantity == lot.quantity.to_integral_value() for lot in whole)
    assert all(f.quantity == f.quantity.to_integral_value() for f in whole_fills)
    # the fractional account, run alongside, does hold fractions
    assert any(lot.quantity != lot.quantity.to_integral_value() for lot in fractional)


class _ExplodingFamily:
    """A model family that fails: by the time it is asked, the cycle has already booked the
    broker's fills, cash, lots and the household's wash-sale window."""

    def __init__(self, family: ModelFamily) -> None:
        self.classes = family.classes

    def target(self, level: int, view: MarketView) -> ClassTarget:
        raise MicrofolioError("model failed on purpose")


def _snapshot(world: World) -> tuple[object, ...]:
    with world.store.unit_of_work() as uow:
        return (
            tuple(
                (
                    uow.cash(a),
                    uow.lots(a),
                    uow.orders(a),
                    uow.fills(a),
                    uow.disposals(a),
                    uow.journal_balances(a),
                    uow.valuations(a),
                    uow.tickets(a),
                )
                for a in world.account_ids
            ),
            uow.audit_events(),
            uow.wash_window(world.household_id),
            uow.wash_sales(world.household_id),
        )


def test_a_failure_midway_leaves_the_store_as_it_was_and_the_broker_reports_are_kept(
    market: MarketData, tmp_path: Path
) -> None:
    # Arrange: orders from the first session fill at the second's open
    world = make_world(market, tmp_path)
    first, second, third = sessions_from(market, "2010-05-03", 3)
    planned = world.step(first, _everyone(DEPOSIT))
    world.broker.advance(second)
    before = _snapshot(world)
    family = world.cycle.family
    world.cycle.family = _ExplodingFamily(family)  # type: ignore[assignment]
    # Act
    with pytest.raises(MicrofolioError, match="on purpose"):
        world.cycle.run(world.household_id, second)
    # Assert: nothing written, and the fills are applied by the next run
    assert _snapshot(world) == before
    world.cycle.family = family
    retried = world.cycle.run(world.household_id, second)
    for account_id in world.account_ids:
        ordered = planned.accounts[account_id].orders
        assert ordered
        assert len(retried.accounts[account_id].fills) == len(ordered)
    world.step(third)
    with world.store.unit_of_work() as uow:
        for account_id in world.account_ids:
            assert uow.cash(account_id) == world.broker.collect(account_id).cash
            first_orders = [o for o in uow.orders(account_id) if o.created == first]
            assert len(first_orders) == len(planned.accounts[account_id].orders)
            assert all(o.status is OrderStatus.FILLED for o in first_orders)
            assert len(uow.fills(account_id)) >= len(first_orders)  # each applied once
            assert len({f.fill_id for f in uow.fills(account_id)}) == len(uow.fills(account_id))
    world.store.dispose()


def test_orders_still_open_make_the_accounts_wait(world: World) -> None:
    # Arrange: the broker does not open the market, so yesterday's orders stay open
    first, second = sessions_from(world.market, "2011-03-01", 2)
    planned = world.step(first, _everyone(DEPOSIT))
    # Act
    waiting = world.cycle.run(world.household_id, second, _everyone(DEPOSIT))
    # Assert
    for account_id in world.account_ids:
        assert planned.accounts[account_id].orders
        result = waiting.accounts[account_id]
        assert result.plan.actions == ("wait",)
        assert result.orders == ()
        assert "still open" in result.plan.notes[0]
    with world.store.unit_of_work() as uow:
        assert all(o.status.is_open for a in world.account_ids for o in uow.orders(a))


def test_a_date_that_is_not_a_session_is_refused(world: World) -> None:
    with pytest.raises(MicrofolioError, match="not a session"):
        world.cycle.run(world.household_id, date(2010, 7, 4))


def test_a_negative_deposit_is_refused(world: World) -> None:
    (session,) = sessions_from(world.market, "2010-07-06", 1)
    with pytest.raises(MicrofolioError, match=f"deposit to {TAXABLE} must be >= 0"):
        world.cycle.run(world.household_id, session, {TAXABLE: Decimal("-1.00")})


def test_an_account_without_a_risk_level_is_refused_until_it_is_onboarded(
    market: MarketData, tmp_path: Path
) -> None:
    # Arrange
    accounts = (ACCOUNTS[0], replace(ACCOUNTS[2], risk_level=None))
    world = make_world(market, tmp_path, accounts)
    first, second = sessions_from(market, "2012-02-01", 2)
    # Act / Assert
    with pytest.raises(MicrofolioError, match=f"account {IRA} has no risk level: onboard it"):
        world.step(first, {TAXABLE: DEPOSIT, IRA: DEPOSIT})
    with world.store.unit_of_work() as uow:
        assert uow.valuations(TAXABLE) == []
        assert uow.cash(IRA) == ZERO
        uow.set_risk_level(IRA, 3)
    result = world.cycle.run(world.household_id, second, {TAXABLE: DEPOSIT, IRA: DEPOSIT})
    assert result.accounts[IRA].orders
    assert world.cycle.level(replace(ACCOUNTS[2], risk_level=3)) == 3
    world.store.dispose()
