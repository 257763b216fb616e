"""The account planner's cash flows and bands, without tax in the way: what the retired per-ticker
``Planner`` was tested for, asked of the ``AccountPlanner`` (first deposits, the underweight
class first, nothing inside the bands, the numbers behind a drift trade, never spending more
than there is, whole shares, waiting on open orders, trades below the minimum)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import Account, AccountType, LotMethod, ReasonKind, SequentialIds, Side
from microfolio.ledger import LotView
from microfolio.rebalance import (
    AccountInputs,
    AccountPlan,
    AccountPlanner,
    DriftBands,
    RebalancePolicy,
    SkipKind,
    TaxAwarePolicy,
)

SESSION = date(2012, 6, 1)
CLASSES = {"VTI": "stocks", "ITOT": "stocks", "AGG": "bonds", "BND": "bonds"}
PRICES = {"VTI": 100.0, "ITOT": 50.0, "AGG": 100.0, "BND": 80.0}
COV = {"stocks": {"stocks": 0.04, "bonds": 0.0}, "bonds": {"stocks": 0.0, "bonds": 0.0025}}
POLICY = RebalancePolicy()


@dataclass(frozen=True)
class Target:
    weights: Mapping[str, float]
    cash: float


TARGET = Target({"stocks": 0.6, "bonds": 0.395}, 0.005)


class Funds:
    def class_of(self, ticker: str) -> str:
        return CLASSES[ticker]

    def candidates(self, asset_class: str, account: Account) -> tuple[str, ...]:
        funds = tuple(t for t, c in CLASSES.items() if c == asset_class)
        return funds if account.account_type.is_taxable else tuple(reversed(funds))


class OpenGuard:
    """A household with nothing in its wash-sale window."""

    def identical(self, a: str, b: str) -> bool:
        return a == b

    def buy_blocker(self, ticker: str) -> str | None:
        return None

    def loss_sale_blocker(self, ticker: str, selling: Mapping[str, Decimal]) -> str | None:
        return None

    def note_buy(self, account_id: str, ticker: str) -> None:
        pass

    def note_loss_sale(self, account_id: str, ticker: str) -> None:
        pass


def lot(lot_id: str, ticker: str, shares: str, cost: float, long_term: bool = False) -> LotView:
    q = Decimal(shares)
    return LotView(lot_id, ticker, q, float(q), PRICES[ticker], cost, long_term)


def account(
    kind: AccountType = AccountType.TAXABLE,
    fractional: bool = True,
    lot_method: LotMethod = LotMethod.TAX_MIN,
) -> Account:
    return Account("a1", "hh", "Test", kind, fractional=fractional, lot_method=lot_method)


def plan(inputs: AccountInputs, policy: RebalancePolicy = POLICY) -> AccountPlan:
    planner = AccountPlanner(policy, DriftBands(), TaxAwarePolicy(), SequentialIds())
    return planner.plan(inputs, SESSION, PRICES, TARGET, COV, Funds(), OpenGuard())


def _spent(result: AccountPlan, policy: RebalancePolicy = POLICY) -> float:
    """Dollars the buys may spend: notionals, or whole shares at the close plus the buffer."""
    lift = 1.0 + policy.whole_share_buffer
    return math.fsum(
        float(t.notional)
        if t.notional is not None
        else float(t.quantity or 0) * PRICES[t.ticker] * lift
        for t in result.tickets
        if t.side is Side.BUY
    )


def _proceeds(result: AccountPlan) -> float:
    return math.fsum(
        float(t.quantity or 0) * PRICES[t.ticker] for t in result.tickets if t.side is Side.SELL
    )


def test_a_first_deposit_into_an_empty_account_buys_the_target_with_notional_orders() -> None:
    result = plan(AccountInputs(account(), 10_000.0, ()))

    assert result.actions == ("cash_flow",)
    assert {t.ticker: t.notional for t in result.tickets} == {
        "VTI": Decimal("6000.00"),
        "AGG": Decimal("3950.00"),
    }
    assert all(t.side is Side.BUY and t.quantity is None for t in result.tickets)
    for ticket in result.tickets:
        reason = ticket.reasons[0]
        assert reason.kind is ReasonKind.CASH_FLOW
        # the cash above the 0.5% cash target is what gets invested
        assert reason.figure("cash_to_invest") == pytest.approx(9_950.0)


def test_a_small_deposit_goes_to_the_underweight_class_only() -> None:
    # stocks 58% (under their 60%), bonds 41% (over their 39.5%), both inside their bands
    lots = (lot("L1", "VTI", "580", 50_000.0), lot("L2", "AGG", "410", 40_000.0))

    result = plan(AccountInputs(account(), 1_000.0, lots))

    assert result.actions == ("cash_flow",)
    assert [(t.ticker, t.side) for t in result.tickets] == [("VTI", Side.BUY)]
    # the cash above 0.5% of the 100,000 total
    assert result.tickets[0].notional == Decimal("500.00")


def test_an_account_inside_its_bands_is_left_alone() -> None:
    # 60.5% / 39% / 0.5% cash against 60 / 39.5 / 0.5
    lots = (lot("L1", "VTI", "605", 55_000.0), lot("L2", "AGG", "390", 38_000.0))

    result = plan(AccountInputs(account(), 500.0, lots))

    assert result.tickets == ()
    assert result.action == "none"
    assert result.breaches == ()
    assert result.drift_before == pytest.approx(0.005)
    assert result.drift_before < DriftBands().absolute


def test_drift_beyond_the_band_sells_the_overweight_class_and_buys_the_underweight() -> None:
    # an IRA at 70 / 29.5 against 60 / 39.5: ten points over, so 100 VTI shares go, first in
    # first out, and the proceeds buy the bond fund already held
    lots = (
        lot("L1", "VTI", "400", 30_000.0),
        lot("L2", "VTI", "300", 28_000.0),
        lot("L3", "AGG", "295", 29_000.0),
    )
    inputs = AccountInputs(account(AccountType.ROTH_IRA, lot_method=LotMethod.FIFO), 500.0, lots)

    result = plan(inputs)

    assert result.actions == ("rebalance",)
    assert result.drift_after_cash_flow == pytest.approx(result.drift_before)
    assert set(result.breaches) == {"stocks", "bonds"}
    assert {t.ticker: t.side for t in result.tickets} == {"VTI": Side.SELL, "AGG": Side.BUY}
    sell = next(t for t in result.tickets if t.side is Side.SELL)
    assert (sell.quantity, sell.lot_ids) == (Decimal(100), ("L1",))
    buy = next(t for t in result.tickets if t.side is Side.BUY)
    assert buy.notional == Decimal("10000.00")
    for ticket in (sell, buy):
        reason = ticket.reasons[0]
        assert reason.kind is ReasonKind.DRIFT
        assert reason.figure("tolerance") == pytest.approx(0.03)
        assert reason.figure("drift") == pytest.approx(result.drift_after_cash_flow)
        assert reason.figure("drift") > reason.figure("tolerance")
        assert "outside the band" in reason.detail
    assert sell.reasons[0].figure("weight") == pytest.approx(0.70)
    assert buy.reasons[0].figure("target_weight") == pytest.approx(0.395)


@pytest.mark.parametrize(
    "inputs",
    [
        AccountInputs(account(), 10_000.0, ()),
        AccountInputs(account(fractional=False), 10_000.0, ()),
        AccountInputs(
            account(AccountType.ROTH_IRA, fractional=False),
            500.0,
            (lot("L1", "VTI", "700", 30_000.0), lot("L2", "AGG", "295", 29_000.0)),
        ),
        AccountInputs(
            account(AccountType.TRADITIONAL_IRA),
            300.0,
            (lot("L1", "VTI", "300", 20_000.0), lot("L2", "AGG", "700", 60_000.0)),
        ),
        AccountInputs(
            account(),  # a taxable harvest: VTI at a $6,000 loss
            500.0,
            (lot("L1", "VTI", "600", 66_000.0), lot("L2", "AGG", "395", 39_500.0)),
        ),
    ],
    ids=["first-deposit", "whole-share-deposit", "whole-share-ira", "ira-bonds-heavy", "harvest"],
)
def test_buys_never_spend_more_than_the_cash_and_the_expected_sale_proceeds(
    inputs: AccountInputs,
) -> None:
    result = plan(inputs)

    total = inputs.cash + math.fsum(lot.value for lot in inputs.lots)
    assert any(t.side is Side.BUY for t in result.tickets)
    assert _spent(result) <= inputs.cash + _proceeds(result) - TARGET.cash * total + 1e-6


def test_a_first_deposit_into_a_whole_share_account_buys_whole_shares_within_the_cash() -> None:
    result = plan(AccountInputs(account(fractional=False), 10_000.0, ()))

    assert {t.ticker for t in result.tickets} == {"VTI", "AGG"}
    for ticket in result.tickets:
        assert ticket.notional is None
        assert ticket.quantity is not None
        assert ticket.quantity > 0
        assert ticket.quantity == ticket.quantity.to_integral_value()
    assert _spent(result) <= 9_950.0


def test_open_orders_make_the_account_wait_and_say_why() -> None:
    result = plan(AccountInputs(account(), 10_000.0, (), open_orders=2))

    assert result.actions == ("wait",)
    assert result.tickets == ()
    assert "2 order(s) still open" in result.notes[0]


def test_buys_below_the_minimum_are_skipped_and_noted() -> None:
    # $15 above the cash target, split between two classes: $7 and $8, both below $10
    lots = (lot("L1", "VTI", "11.9", 1_100.0), lot("L2", "AGG", "7.8", 700.0))

    result = plan(AccountInputs(account(), 25.0, lots))

    assert result.tickets == ()
    skipped = [(s.ticker, s.side, s.kind) for s in result.skipped]
    assert skipped == [
        ("bonds", Side.BUY, SkipKind.BELOW_MINIMUM),
        ("stocks", Side.BUY, SkipKind.BELOW_MINIMUM),
    ]
    assert all("below the $10.00 minimum" in s.detail for s in result.skipped)


def test_a_whole_share_buy_of_less_than_one_share_is_skipped_and_noted() -> None:
    # $90 to invest in bonds, but one AGG share costs $101 with the overnight buffer
    lots = (lot("L1", "VTI", "12", 1_100.0), lot("L2", "AGG", "7", 650.0))

    result = plan(AccountInputs(account(fractional=False), 100.0, lots))

    assert result.tickets == ()
    assert [(s.ticker, s.kind) for s in result.skipped][:1] == [("AGG", SkipKind.BELOW_MINIMUM)]
    assert "less than one share" in result.skipped[0].detail
