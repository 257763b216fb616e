"""The planner: from holdings and a target to trade tickets, each with its reasons.

Order of business, one decision pass per account:

1. Cash flows first: cash above the target's cash weight buys the underweight positions, in
   proportion to how far each is below target (and, once none is below, pro rata to target).
2. Only if drift *after* investing the cash still breaks the band does a full rebalance happen:
   sell what is over target, buy what is under, with the cash and the sale proceeds.

Weights and dollar amounts are floats here; tickets carry Decimal sizes made in ``sizing``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain import (
    Account,
    IdFactory,
    Reason,
    ReasonKind,
    Side,
    TargetPortfolio,
    TradeTicket,
)
from microfolio.rebalance.drift import drift
from microfolio.rebalance.policy import RebalancePolicy
from microfolio.rebalance.sizing import buy_notional, sell_quantity, whole_shares

__all__ = ["Holdings", "Plan", "Planner"]


@dataclass(frozen=True, slots=True)
class Holdings:
    """An account's holdings as the planner sees them: market values (floats) and share counts."""

    values: Mapping[str, float]
    cash: float
    shares: Mapping[str, Decimal]

    @property
    def total(self) -> float:
        return math.fsum(self.values.values()) + self.cash

    def weights(self) -> tuple[dict[str, float], float]:
        total = self.total
        if total <= 0:
            return dict.fromkeys(self.values, 0.0), 1.0
        return {t: v / total for t, v in self.values.items()}, self.cash / total


@dataclass(frozen=True, slots=True)
class Plan:
    """What the planner decided for one account on one session, and why."""

    account_id: str
    session: date
    drift_before: float
    drift_after_cash_flow: float
    action: str  # "none", "cash_flow", "rebalance" or "wait"
    tickets: tuple[TradeTicket, ...]
    notes: tuple[str, ...] = ()


class Planner:
    def __init__(self, policy: RebalancePolicy, ids: IdFactory) -> None:
        self.policy = policy
        self.ids = ids

    def plan(
        self,
        account: Account,
        session: date,
        holdings: Holdings,
        prices: Mapping[str, float],
        target: TargetPortfolio,
        open_orders: int = 0,
    ) -> Plan:
        weights, cash_weight = holdings.weights()
        before = drift(weights, cash_weight, target)
        if open_orders:
            note = f"{open_orders} order(s) still open from an earlier session; no new trades"
            return Plan(account.account_id, session, before, before, "wait", (), (note,))
        total = holdings.total
        if total <= 0:
            return Plan(account.account_id, session, before, before, "none", ())

        flow_buys, flow_notes = self._cash_flow_buys(holdings, target)
        after_values = dict(holdings.values)
        for ticker, dollars in flow_buys.items():
            after_values[ticker] = after_values.get(ticker, 0.0) + dollars
        after_cash = holdings.cash - math.fsum(flow_buys.values())
        after = drift({t: v / total for t, v in after_values.items()}, after_cash / total, target)
        if after > self.policy.band:
            tickets = self._rebalance(account, session, holdings, prices, target, before, after)
            return Plan(account.account_id, session, before, after, "rebalance", tickets)
        if not flow_buys:
            return Plan(account.account_id, session, before, after, "none", (), flow_notes)
        excess = holdings.cash - target.cash * total
        maybe = (
            self._buy(
                account,
                session,
                ticker,
                dollars,
                prices[ticker],
                Reason(
                    ReasonKind.CASH_FLOW,
                    f"invest ${excess:,.2f} of cash above target: {ticker} is "
                    f"{weights.get(ticker, 0.0):.2%} against a target of "
                    f"{target.weights.get(ticker, 0.0):.2%}",
                    (
                        ("cash_to_invest", excess),
                        ("buy_dollars", dollars),
                        ("weight", weights.get(ticker, 0.0)),
                        ("target_weight", target.weights.get(ticker, 0.0)),
                    ),
                ),
            )
            for ticker, dollars in flow_buys.items()
        )
        return Plan(
            account.account_id,
            session,
            before,
            after,
            "cash_flow",
            tuple(t for t in maybe if t is not None),
            flow_notes,
        )

    def _cash_flow_buys(
        self, holdings: Holdings, target: TargetPortfolio
    ) -> tuple[dict[str, float], tuple[str, ...]]:
        total = holdings.total
        excess = holdings.cash - target.cash * total
        if excess < self.policy.min_trade:
            return {}, ()
        deficits = {
            t: max(0.0, w * total - holdings.values.get(t, 0.0)) for t, w in target.weights.items()
        }
        short = math.fsum(deficits.values())
        if short >= excess:
            buys = {t: excess * d / short for t, d in deficits.items()}
        else:
            invested = math.fsum(target.weights.values())
            buys = {
                t: deficits[t] + (excess - short) * w / invested for t, w in target.weights.items()
            }
        kept = {t: b for t, b in buys.items() if b >= self.policy.min_trade}
        skipped = tuple(
            f"{t}: buy of ${b:,.2f} below the ${self.policy.min_trade:,.2f} minimum"
            for t, b in buys.items()
            if 0 < b < self.policy.min_trade
        )
        return kept, skipped

    def _rebalance(
        self,
        account: Account,
        session: date,
        holdings: Holdings,
        prices: Mapping[str, float],
        target: TargetPortfolio,
        before: float,
        after: float,
    ) -> tuple[TradeTicket, ...]:
        total = holdings.total
        weights, _ = holdings.weights()
        tickers = sorted(set(holdings.values) | set(target.weights))
        deltas = {
            t: target.weights.get(t, 0.0) * total - holdings.values.get(t, 0.0) for t in tickers
        }

        def reason(ticker: str) -> Reason:
            return Reason(
                ReasonKind.DRIFT,
                f"drift {after:.3%} (after cash flows) is above the {self.policy.band:.2%} band; "
                f"{ticker} is {weights.get(ticker, 0.0):.2%} against a target of "
                f"{target.weights.get(ticker, 0.0):.2%}",
                (
                    ("drift_before", before),
                    ("drift_after_cash_flow", after),
                    ("band", self.policy.band),
                    ("weight", weights.get(ticker, 0.0)),
                    ("target_weight", target.weights.get(ticker, 0.0)),
                    ("trade_dollars", deltas[ticker]),
                ),
            )

        tickets: list[TradeTicket] = []
        proceeds = 0.0
        for ticker in tickers:
            delta = deltas[ticker]
            held = holdings.shares.get(ticker, Decimal(0))
            if delta >= -self.policy.min_trade or held <= 0:
                continue
            value = holdings.values.get(ticker, 0.0)
            sell_all = (
                target.weights.get(ticker, 0.0) == 0.0 or value + delta < self.policy.min_trade
            )
            shares = held if sell_all else sell_quantity(-delta, prices[ticker], held)
            if not account.fractional:
                shares = held if sell_all else whole_shares(shares)
            if shares <= 0:
                continue
            proceeds += float(shares) * prices[ticker]
            tickets.append(
                self._ticket(account, session, ticker, Side.SELL, reason(ticker), shares)
            )

        budget = holdings.cash + proceeds - target.cash * total
        wanted = {t: d for t, d in deltas.items() if d > self.policy.min_trade}
        scale = min(1.0, budget / math.fsum(wanted.values())) if wanted else 0.0
        for ticker, dollars in wanted.items():
            ticket = self._buy(
                account, session, ticker, dollars * scale, prices[ticker], reason(ticker)
            )
            if ticket is not None:
                tickets.append(ticket)
        return tuple(tickets)

    def _buy(
        self,
        account: Account,
        session: date,
        ticker: str,
        dollars: float,
        price: float,
        reason: Reason,
    ) -> TradeTicket | None:
        if dollars < self.policy.min_trade:
            return None
        if account.fractional:
            notional = buy_notional(dollars)
            return self._ticket(account, session, ticker, Side.BUY, reason, notional=notional)
        shares = whole_shares(
            sell_quantity(dollars, price * (1.0 + self.policy.whole_share_buffer), Decimal(10**12))
        )
        if shares <= 0:
            return None
        return self._ticket(account, session, ticker, Side.BUY, reason, shares)

    def _ticket(
        self,
        account: Account,
        session: date,
        ticker: str,
        side: Side,
        reason: Reason,
        shares: Decimal | None = None,
        notional: Decimal | None = None,
    ) -> TradeTicket:
        return TradeTicket(
            ticket_id=self.ids.new("tkt"),
            account_id=account.account_id,
            session=session,
            ticker=ticker,
            side=side,
            reasons=(reason,),
            quantity=shares,
            notional=notional,
        )
