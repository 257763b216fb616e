"""Seeded factories for the store tests: one household, two accounts, a few assets."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from microfolio.domain import (
    Asset,
    AuditEvent,
    Disposal,
    Fill,
    JournalEntry,
    LedgerAccount,
    Lot,
    Order,
    OrderStatus,
    Posting,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
)
from microfolio.tax.wash_records import LossSale, Purchase, WashSale

ACCOUNT = "acc-taxable"
OTHER_ACCOUNT = "acc-roth"
HOUSEHOLD = "hh-1"
ASSETS = (
    Asset("VTI", "us_equity", 1, "CRSP US Total Market"),
    Asset("SCHB", "us_equity", 2, "Dow Jones US Broad Stock Market"),
    Asset("VEA", "intl_equity", 1, "FTSE Developed All Cap ex US"),
    Asset("BND", "us_bonds", 1, "Bloomberg US Aggregate Float Adjusted"),
)
DAY = date(2024, 3, 1)


class Make:
    """Deterministic domain objects with fresh ids (``lot-000001``, ...)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._counter):06d}"

    def lot(
        self,
        *,
        account_id: str = ACCOUNT,
        ticker: str = "VTI",
        quantity: str = "10",
        cost: str = "2000.00",
        acquired: date = DAY,
        lot_id: str | None = None,
        basis_adjustment: str = "0",
        holding_start: date | None = None,
    ) -> Lot:
        return Lot(
            lot_id=lot_id or self.id("lot"),
            account_id=account_id,
            ticker=ticker,
            quantity=Decimal(quantity),
            cost=Decimal(cost),
            acquired=acquired,
            basis_adjustment=Decimal(basis_adjustment),
            holding_start=holding_start,
        )

    def ticket(self, *, account_id: str = ACCOUNT, ticker: str = "VTI") -> TradeTicket:
        return TradeTicket(
            ticket_id=self.id("tkt"),
            account_id=account_id,
            session=DAY,
            ticker=ticker,
            side=Side.BUY,
            reasons=(
                Reason(ReasonKind.DRIFT, "VTI is 6.1% under target", (("drift", -0.061),)),
                Reason(ReasonKind.CASH_FLOW, "deposit of $500.00", (("amount", 500.0),)),
            ),
            notional=Decimal("500.00"),
        )

    def order(
        self,
        *,
        account_id: str = ACCOUNT,
        status: OrderStatus = OrderStatus.NEW,
        ticket_id: str | None = None,
        created: date = DAY,
    ) -> Order:
        return Order(
            order_id=self.id("ord"),
            account_id=account_id,
            ticker="VTI",
            side=Side.SELL,
            created=created,
            quantity=Decimal("1.5"),
            status=status,
            ticket_id=ticket_id,
        )

    def fill(self, order: Order, *, quantity: str = "1.5") -> Fill:
        return Fill(
            fill_id=self.id("fill"),
            order_id=order.order_id,
            account_id=order.account_id,
            ticker=order.ticker,
            side=order.side,
            quantity=Decimal(quantity),
            price=Decimal("251.1234"),
            commission=Decimal("0.35"),
            session=order.created,
            reference_price=Decimal("251.2500"),
        )

    def disposal(self, fill: Fill, lot: Lot) -> Disposal:
        return Disposal(
            disposal_id=self.id("dsp"),
            account_id=fill.account_id,
            lot_id=lot.lot_id,
            fill_id=fill.fill_id,
            ticker=fill.ticker,
            quantity=fill.quantity,
            acquired=lot.acquired,
            sold=fill.session,
            proceeds=Decimal("376.69"),
            cost=Decimal("300.00"),
        )

    def deposit(
        self, amount: str, *, account_id: str = ACCOUNT, session: date = DAY
    ) -> JournalEntry:
        return JournalEntry(
            entry_id=self.id("je"),
            account_id=account_id,
            session=session,
            memo=f"deposit {amount}",
            postings=(
                Posting(LedgerAccount.CASH, Decimal(amount)),
                Posting(LedgerAccount.CONTRIBUTIONS, -Decimal(amount)),
            ),
        )

    def audit(self, action: str, *, account_id: str | None = ACCOUNT) -> AuditEvent:
        return AuditEvent(
            event_id=self.id("evt"),
            session=DAY,
            actor="planner",
            action=action,
            account_id=account_id,
            detail=f"{action} for {account_id}",
        )

    def purchase(
        self,
        *,
        account_id: str = ACCOUNT,
        acquired: date = DAY,
        quantity: str = "10",
        unmatched: str = "10",
        tax_advantaged: bool = False,
        lot_id: str | None = None,
    ) -> Purchase:
        return Purchase(
            lot_id=lot_id or self.id("lot"),
            account_id=account_id,
            ticker="SCHB",
            key="us-total-market",
            acquired=acquired,
            quantity=Decimal(quantity),
            unmatched=Decimal(unmatched),
            tax_advantaged=tax_advantaged,
        )

    def loss(
        self,
        *,
        account_id: str = ACCOUNT,
        sold: date = DAY,
        holding_start: date = date(2023, 11, 20),
        quantity: str = "4.5",
        loss: str = "123.45",
        unmatched: str = "4.5",
        disposal_id: str | None = None,
    ) -> LossSale:
        return LossSale(
            disposal_id=disposal_id or self.id("dsp"),
            account_id=account_id,
            lot_id=self.id("lot"),
            ticker="VTI",
            key="us-total-market",
            sold=sold,
            holding_start=holding_start,
            quantity=Decimal(quantity),
            loss=Decimal(loss),
            unmatched=Decimal(unmatched),
        )

    def wash(
        self,
        *,
        household_id: str = HOUSEHOLD,
        sold: date = DAY,
        permanent: bool = False,
        shares: str = "2.5",
        disallowed: str = "68.58",
        holding_days: int = 102,
        wash_id: str | None = None,
    ) -> WashSale:
        return WashSale(
            wash_id=wash_id or self.id("wash"),
            household_id=household_id,
            loss_disposal_id=self.id("dsp"),
            loss_account_id=ACCOUNT,
            ticker_sold="VTI",
            sold=sold,
            replacement_lot_id=self.id("lot"),
            replacement_account_id=OTHER_ACCOUNT if permanent else ACCOUNT,
            ticker_bought="SCHB",
            bought=sold,
            shares=Decimal(shares),
            disallowed=Decimal(disallowed),
            permanent=permanent,
            basis_added=Decimal(0) if permanent else Decimal(disallowed),
            holding_days=0 if permanent else holding_days,
        )
