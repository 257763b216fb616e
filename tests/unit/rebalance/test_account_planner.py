"""The account planner: harvesting, cash flows, tax-aware rebalancing, the wash-sale guard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import Account, AccountType, LotMethod, ReasonKind, SequentialIds, Side
from microfolio.ledger import LotView
from microfolio.rebalance import (
    AccountCase,
    AccountInputs,
    AccountPlanner,
    DriftBands,
    HarvestPolicy,
    RebalancePolicy,
    SkipKind,
    TaxAwarePolicy,
)

SESSION = date(2012, 6, 1)
CLASSES = {"VTI": "stocks", "ITOT": "stocks", "SCHB": "stocks", "AGG": "bonds", "BND": "bonds"}
IDENTICAL = {frozenset({"AGG", "SCHZ"})}
COV = {
    "stocks": {"stocks": 0.04, "bonds": 0.0},
    "bonds": {"stocks": 0.0, "bonds": 0.0025},
}


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


class Guard:
    """A guard with a fixed set of blocked buys and loss sales, recording what is noted."""

    def __init__(
        self, blocked_buys: set[str] | None = None, blocked_losses: set[str] | None = None
    ) -> None:
        if blocked_losses is None:
            blocked_losses = set()
        if blocked_buys is None:
            blocked_buys = set()
        self.blocked_buys = set(blocked_buys)
        self.blocked_losses = set(blocked_losses)
        self.bought: list[str] = []
        self.loss_sold: list[str] = []

    def identical(self, a: str, b: str) -> bool:
        return a == b or frozenset({a, b}) in IDENTICAL

    def buy_blocker(self, ticker: str) -> str | None:
        if ticker in self.blocked_buys or ticker in self.loss_sold:
            return f"{ticker} sold at a loss recently"
        return None

    def loss_sale_blocker(self, ticker: str, selling: Mapping[str, Decimal]) -> str | None:
        if ticker in self.blocked_losses or ticker in self.bought:
            return f"{ticker} bought recently"
        return None

    def note_buy(self, account_id: str, ticker: str) -> None:
        self.bought.append(ticker)

    def note_loss_sale(self, account_id: str, ticker: str) -> None:
        self.loss_sold.append(ticker)


def lot(
    lot_id: str, ticker: str, shares: str, price: float, cost: float, long_term: bool = False
) -> LotView:
    q = Decimal(shares)
    return LotView(lot_id, ticker, q, float(q), price, cost, long_term)


def planner(**tax: object) -> AccountPlanner:
    return AccountPlanner(
        RebalancePolicy(),
        DriftBands(),
        TaxAwarePolicy(**tax),
        SequentialIds(),  # type: ignore[arg-type]
    )


def account(
    kind: AccountType = AccountType.TAXABLE, fractional: bool = True, account_id: str = "a1"
) -> Account:
    return Account(
        account_id, "hh", "Test", kind, fractional=fractional, lot_method=LotMethod.TAX_MIN
    )


TARGET = Target({"stocks": 0.6, "bonds": 0.395}, 0.005)


PRICES = {"VTI": 100.0, "ITOT": 50.0, "SCHB": 40.0, "AGG": 100.0, "BND": 80.0}


def plan(inputs: AccountInputs, guard: Guard | None = None, **tax: object):  # type: ignore[no-untyped-def]
    return planner(**tax).plan(inputs, SESSION, PRICES, TARGET, COV, Funds(), guard or Guard())


def on_target(extra: list[LotView] | None = None) -> list[LotView]:
    return [lot("L1", "VTI", "600", 100.0, 60_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]


def test_a_loss_above_both_thresholds_is_harvested_into_the_next_fund() -> None:
    lots = [lot("L1", "VTI", "600", 100.0, 66_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    guard = Guard()
    result = plan(AccountInputs(account(), 500.0, tuple(lots)), guard)
    sell = next(t for t in result.tickets if t.side is Side.SELL)
    buy = next(t for t in result.tickets if t.side is Side.BUY)
    assert (sell.ticker, sell.quantity, sell.lot_ids, sell.limit_price) == (
        "VTI",
        Decimal(600),
        ("L1",),
        None,
    )
    assert sell.reasons[0].kind is ReasonKind.HARVEST
    assert sell.reasons[0].figure("loss") == pytest.approx(6_000.0)
    assert buy.ticker == "ITOT"
    assert buy.reasons[0].kind is ReasonKind.HARVEST
    # 60,000 less the 3 bp one-way cost; the $18 that cost leaves above the cash target is
    # below the 0.25% worth investing, so it stays in cash
    assert buy.notional == Decimal("59982.00")
    assert [r.kind for r in buy.reasons] == [ReasonKind.HARVEST]
    assert "harvest" in result.actions
    assert guard.loss_sold == ["VTI"]
    assert set(guard.bought) == {"ITOT"}


def test_a_loss_below_the_share_of_account_threshold_is_not_harvested() -> None:
    # $400 loss on a $100k account: above $100 but below 0.5% ($500)
    lots = [lot("L1", "VTI", "600", 100.0, 60_400.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)))
    assert result.tickets == ()


def test_a_harvest_blocked_by_a_household_purchase_is_skipped_with_the_reason() -> None:
    lots = [lot("L1", "VTI", "600", 100.0, 66_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)), Guard(blocked_losses={"VTI"}))
    assert result.tickets == ()
    assert [(s.ticker, s.kind) for s in result.skipped] == [("VTI", SkipKind.WASH_SALE)]


def test_the_replacement_skips_blocked_funds_and_says_so() -> None:
    lots = [lot("L1", "VTI", "600", 100.0, 66_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)), Guard(blocked_buys={"ITOT"}))
    buy = next(t for t in result.tickets if t.side is Side.BUY)
    assert buy.ticker == "SCHB"
    assert "ITOT" in buy.reasons[0].detail


def test_a_harvest_whose_benefit_does_not_beat_its_cost_is_skipped() -> None:
    lots = [lot("L1", "VTI", "600", 100.0, 66_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)), trading_cost=0.05)
    assert [s.kind for s in result.skipped] == [SkipKind.BENEFIT_BELOW_COST]


def test_iras_never_harvest() -> None:
    lots = [lot("L1", "VTI", "600", 100.0, 66_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(AccountType.TRADITIONAL_IRA), 500.0, tuple(lots)))
    assert result.tickets == ()


def test_a_deposit_buys_the_underweight_class_through_the_fund_already_held() -> None:
    lots = [lot("L1", "ITOT", "1000", 50.0, 50_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 10_500.0, tuple(lots)))
    assert [(t.ticker, t.side) for t in result.tickets] == [("ITOT", Side.BUY)]
    assert result.tickets[0].reasons[0].kind is ReasonKind.CASH_FLOW
    assert result.actions == ("cash_flow",)


def test_a_wash_sale_blocked_fund_sends_the_deposit_to_the_next_fund() -> None:
    lots = [lot("L1", "VTI", "500", 100.0, 50_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 10_500.0, tuple(lots)), Guard(blocked_buys={"VTI"}))
    assert [t.ticker for t in result.tickets] == ["ITOT"]


def test_a_taxable_gain_sale_is_skipped_when_tax_exceeds_the_benefit() -> None:
    # 70/29.5 against 60/39.5: 10 points over, short-term gains of 60% on the stock lot
    lots = [lot("L1", "VTI", "700", 100.0, 28_000.0), lot("L2", "AGG", "295", 100.0, 29_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)))
    assert not any(t.side is Side.SELL for t in result.tickets)
    assert SkipKind.TAX_COST in {s.kind for s in result.skipped}


def test_a_taxable_gain_sale_worth_its_tax_carries_a_limit_at_the_basis() -> None:
    # far off target (90/9.5) with a small gain: the move is worth the tax
    lots = [lot("L1", "VTI", "900", 100.0, 88_200.0), lot("L2", "AGG", "95", 100.0, 9_500.0)]
    result = plan(AccountInputs(account(), 500.0, tuple(lots)))
    sell = next(t for t in result.tickets if t.side is Side.SELL)
    assert sell.ticker == "VTI"
    assert sell.limit_price == Decimal("98.0000")
    assert sell.reasons[0].kind is ReasonKind.DRIFT


def test_an_ira_simply_rebalances() -> None:
    lots = [lot("L1", "VTI", "700", 100.0, 28_000.0), lot("L2", "AGG", "295", 100.0, 29_500.0)]
    result = plan(AccountInputs(account(AccountType.ROTH_IRA), 500.0, tuple(lots)))
    sides = {(t.ticker, t.side) for t in result.tickets}
    assert ("VTI", Side.SELL) in sides
    assert ("BND", Side.BUY) not in sides
    sell = next(t for t in result.tickets if t.side is Side.SELL)
    assert sell.quantity == Decimal(100)
    assert sell.limit_price is None


def test_a_withdrawal_sells_the_overweight_class_first() -> None:
    lots = [lot("L1", "VTI", "650", 100.0, 60_000.0), lot("L2", "AGG", "345", 100.0, 34_500.0)]
    inputs = AccountInputs(account(), 500.0, tuple(lots), withdrawal=5_000.0)
    result = plan(inputs)
    sells = [t for t in result.tickets if t.side is Side.SELL]
    assert [t.ticker for t in sells] == ["VTI"]
    assert sells[0].reasons[0].kind is ReasonKind.CASH_FLOW
    assert "withdrawal" in result.actions


def test_a_withdrawal_is_measured_net_so_the_cash_it_raises_is_not_drift() -> None:
    # Arrange: on target with $100,000; $10,000 owed to the client
    inputs = AccountInputs(account(AccountType.ROTH_IRA), 500.0, tuple(on_target()), 0, 10_000.0)
    # Act
    result = plan(inputs)
    # Assert: each class sold down to its target of the $90,000 left, and nothing else
    sold = {t.ticker: float(t.quantity or 0) * 100.0 for t in result.tickets}
    assert {t.side for t in result.tickets} == {Side.SELL}
    assert sold == pytest.approx({"VTI": 6_000.0, "AGG": 3_950.0})
    assert result.actions == ("withdrawal",)
    assert result.drift_after_cash_flow == pytest.approx(0.0, abs=1e-9)
    assert result.breaches == ()


def test_a_whole_share_withdrawal_rounds_its_sales_up_to_raise_what_it_needs() -> None:
    # Arrange: no cash; $1,030 owed, plus the 0.5% cash target of what is left: $1,522.35
    needed = 1_030.0 + 0.005 * (99_500.0 - 1_030.0)
    inputs = AccountInputs(
        account(AccountType.ROTH_IRA, fractional=False), 0.0, tuple(on_target()), 0, 1_030.0
    )
    # Act
    result = plan(inputs)
    # Assert: whole shares, and enough of them (rounding down raises $1,500, short of it)
    sells = {t.ticker: t.quantity for t in result.tickets if t.side is Side.SELL}
    assert all(q == q.to_integral_value() for q in sells.values() if q is not None)
    raised = sum(float(q or 0) * 100.0 for q in sells.values())
    assert needed <= raised < needed + 2 * 100.0
    assert sells["VTI"] == Decimal(10)


def test_a_lot_sold_for_a_withdrawal_in_two_steps_is_named_once() -> None:
    # Arrange: the bond lot is at a loss the wash-sale window blocks, so the stock lot is sold
    # down to target first, then again pro rata for what the bonds could not give
    lots = [lot("L1", "VTI", "600", 100.0, 60_000.0), lot("L2", "AGG", "395", 100.0, 45_000.0)]
    inputs = AccountInputs(account(), 500.0, tuple(lots), withdrawal=10_000.0)
    # Act
    result = plan(inputs, Guard(blocked_losses={"AGG"}))
    # Assert
    (sell,) = result.tickets
    assert (sell.ticker, sell.side, sell.lot_ids) == ("VTI", Side.SELL, ("L1",))
    assert float(sell.quantity or 0) > 60.0
    assert any(s.kind is SkipKind.WASH_SALE and s.ticker == "AGG" for s in result.skipped)


def test_whole_share_buys_leave_less_than_the_cheapest_share_unspent() -> None:
    lots = [lot("L1", "VTI", "300", 100.0, 30_000.0), lot("L2", "AGG", "200", 100.0, 20_000.0)]
    result = plan(AccountInputs(account(fractional=False), 1_000.0, tuple(lots)))
    spent = sum(float(t.quantity or 0) * 100.0 * 1.01 for t in result.tickets)
    assert all(t.quantity == t.quantity.to_integral_value() for t in result.tickets)  # type: ignore[union-attr]
    assert 1_000.0 - 0.005 * 51_000 - spent < 101.0


def test_open_orders_make_the_account_wait() -> None:
    result = plan(AccountInputs(account(), 10_000.0, tuple(on_target()), open_orders=1))
    assert result.actions == ("wait",)
    assert result.tickets == ()


def test_spare_cash_below_the_investing_threshold_stays_in_cash() -> None:
    # $600 cash on ~$100k: $100 above the 0.5% cash target, below 0.25% of the account
    lots = [lot("L1", "VTI", "590", 100.0, 59_000.0), lot("L2", "AGG", "390", 100.0, 39_000.0)]
    result = plan(AccountInputs(account(), 600.0, tuple(lots)))
    assert result.tickets == ()
    # and $2,000 is invested
    result = plan(AccountInputs(account(), 2_000.0, tuple(lots)))
    assert {t.side for t in result.tickets} == {Side.BUY}


def test_a_deposit_does_not_buy_a_fund_held_at_a_loss_when_another_is_clear() -> None:
    # VTI held at a $3,000 loss (below this account's $4,450 harvest threshold, so not harvested
    # today): the deposit's stock buy goes to ITOT, so VTI's loss stays harvestable
    lots = [lot("L1", "VTI", "500", 100.0, 53_000.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(
        AccountInputs(account(), 10_500.0, tuple(lots)),
        harvest=HarvestPolicy(min_loss_fraction=0.05),
    )
    stock_buys = [t for t in result.tickets if t.ticker in {"VTI", "ITOT", "SCHB"}]
    assert [t.ticker for t in stock_buys] == ["ITOT"]
    assert "VTI is held at a $3,000.00 loss" in stock_buys[0].reasons[0].detail


def test_a_small_loss_does_not_divert_purchases() -> None:
    # a $50 loss (below the $100 minimum harvest) keeps buys in the fund already held
    lots = [lot("L1", "VTI", "500", 100.0, 50_050.0), lot("L2", "AGG", "395", 100.0, 39_500.0)]
    result = plan(AccountInputs(account(), 10_500.0, tuple(lots)))
    assert [t.ticker for t in result.tickets] == ["VTI"]


def test_a_household_pass_harvests_before_any_account_buys() -> None:
    # the first account's deposit would buy VTI; the second holds VTI at a harvestable loss.
    # Harvests come first, so the deposit cannot block the harvest: it is sent elsewhere.
    first = AccountInputs(
        account(account_id="a1"),
        10_500.0,
        (lot("A1", "VTI", "500", 100.0, 45_000.0), lot("A2", "AGG", "395", 100.0, 39_500.0)),
    )
    second = AccountInputs(
        account(account_id="a2"),
        500.0,
        (lot("B1", "VTI", "600", 100.0, 66_000.0), lot("B2", "AGG", "395", 100.0, 39_500.0)),
    )
    guard = Guard()
    cases = [AccountCase(inputs, PRICES, TARGET, COV) for inputs in (first, second)]
    plans = planner().plan_household(cases, SESSION, Funds(), guard)
    assert [p.account_id for p in plans] == ["a1", "a2"]
    harvest = next(t for t in plans[1].tickets if t.side is Side.SELL)
    assert (harvest.ticker, harvest.reasons[0].kind) == ("VTI", ReasonKind.HARVEST)
    first_buys = [t.ticker for t in plans[0].tickets if t.side is Side.BUY]
    assert first_buys
    assert "VTI" not in first_buys
    assert guard.loss_sold[0] == "VTI"
