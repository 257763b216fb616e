"""The account planner: one decision pass per account of a household on one session.

In order (each step sees the trades the earlier ones planned, in every account of the pass):

1. **Harvesting** (taxable accounts, all of the household's before anything else, so that no
   purchase planned for one account blocks another's harvest): the lots of a fund at a loss are
   sold when their summed loss passes both thresholds (dollars and share of the account), no
   household purchase would wash it, and the deferral benefit beats the trading cost; the
   proceeds buy a fund of the class that is not substantially identical to the one sold, not
   blocked by the household's wash-sale window, and, if one can be found, not itself held at a
   loss anywhere in the household (see purchases below). Nothing ever forces a switch back to
   the primary fund: later buys go to whatever fund of the class the account holds.
2. **Cash flows**: cash above the target's cash weight (once the excess is worth investing:
   ``RebalancePolicy.invest_above``) buys the underweight classes (in proportion to how far each
   is below target); a withdrawal the cash cannot cover sells the most overweight classes first,
   lots picked by the account's lot method (whole-share accounts round such a sale up, so that
   it covers what is owed). Cash owed on a withdrawal is not the client's portfolio any more:
   weights, drift, targets in dollars and spare cash are all measured net of it.
3. **Rebalancing**: only if some class is still outside its band (``DriftBands``) are the
   overweight classes sold down and the underweight ones bought. In a taxable account a lot at a
   gain is sold only while the benefit of the move exceeds its tax and cost
   (:mod:`microfolio.rebalance.tax_aware` says how both are estimated); in an IRA drift is fixed.

Every loss sale and every purchase is checked against the household's wash-sale window first
(:class:`~microfolio.rebalance.context.WashGuard`) and registered with it, so no decision of
this pass creates a wash sale anywhere in the household.

**Purchases keep harvests open.** Buying a fund blocks the harvest of any household lot of the
same security for 30 days, so a daily trickle of small buys (deposits, whole-share leftovers,
rebalancing) into a fund held at a loss would keep that loss from ever being harvested. A buy of
an asset class therefore goes to the fund the account holds most of only while no taxable
account of the household holds that security at a loss of ``HarvestPolicy.min_loss`` or more;
otherwise to the first fund of the class (account's order) that is clear of such losses, or,
if none is, the one with the smallest. The reason on the ticket says so. A taxable sale meant to realise only
gains carries a limit price at the highest tax basis per share of its lots, so an overnight drop
cannot turn it into a loss sale. Every candidate trade left out is kept, with why, in
``AccountPlan.skipped``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Protocol

from microfolio.domain import (
    Account,
    IdFactory,
    LotMethod,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
    price,
)
from microfolio.ledger import LotView
from microfolio.rebalance.bands import ClassDrift, DriftBands, class_drift
from microfolio.rebalance.context import FundMenu, WashGuard
from microfolio.rebalance.policy import RebalancePolicy
from microfolio.rebalance.sizing import buy_notional, sell_quantity, whole_shares
from microfolio.rebalance.tax_aware import TaxAwarePolicy
from microfolio.rebalance.whole_shares import whole_share_buys

__all__ = [
    "AccountCase",
    "AccountInputs",
    "AccountPlan",
    "AccountPlanner",
    "ClassTargetLike",
    "SkipKind",
    "Skipped",
]


class ClassTargetLike(Protocol):
    """A target by asset class (``advisor.ClassTarget`` is one)."""

    @property
    def weights(self) -> Mapping[str, float]: ...
    @property
    def cash(self) -> float: ...


class SkipKind(StrEnum):
    WASH_SALE = "wash_sale"
    BELOW_MINIMUM = "below_minimum"
    TAX_COST = "tax_cost"
    NO_REPLACEMENT = "no_replacement"
    BENEFIT_BELOW_COST = "benefit_below_cost"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A candidate trade the planner left out, and why."""

    ticker: str
    side: Side
    kind: SkipKind
    detail: str


@dataclass(frozen=True, slots=True)
class AccountInputs:
    """One account as the planner sees it: lots valued at the session's closes (floats)."""

    account: Account
    cash: float
    lots: tuple[LotView, ...]
    open_orders: int = 0
    withdrawal: float = 0.0  # cash still to raise for a withdrawal the cash could not pay


@dataclass(frozen=True, slots=True)
class AccountCase:
    """One account's part in a household pass: its inputs, the session's closes (for the
    tickers it holds or may buy), its class target and the model's class covariance."""

    inputs: AccountInputs
    prices: Mapping[str, float]
    target: ClassTargetLike
    covariance: Mapping[str, Mapping[str, float]]


@dataclass(frozen=True, slots=True)
class AccountPlan:
    account_id: str
    session: date
    drift_before: float
    drift_after_cash_flow: float
    actions: tuple[str, ...]  # of "harvest", "cash_flow", "withdrawal", "rebalance", "wait"
    tickets: tuple[TradeTicket, ...]
    skipped: tuple[Skipped, ...] = ()
    breaches: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        return "+".join(self.actions) if self.actions else "none"


@dataclass(slots=True)
class _Sale:
    ticker: str
    picks: list[tuple[LotView, Decimal]] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    realises_loss: bool = False

    @property
    def shares(self) -> Decimal:
        return sum((take for _, take in self.picks), Decimal(0))

    @property
    def dollars(self) -> float:
        return math.fsum(float(take) * lot.price for lot, take in self.picks)


@dataclass(frozen=True, slots=True)
class _Harvest:
    state: _Pass
    ticker: str
    losers: list[LotView]
    loss: float
    threshold: float
    benefit: float
    cost: float
    value: float


def _household_losses(states: Sequence[_Pass], exclude: Collection[str] = ()) -> dict[str, float]:
    """Unrealised losses still held in the household's taxable accounts, by ticker (the lots in
    ``exclude`` left out)."""
    out: dict[str, float] = {}
    for state in states:
        if not state.account.account_type.is_taxable:
            continue
        for lot in state.inputs.lots:
            left = state.left[lot.lot_id]
            if lot.gain < 0 and left > 0 and lot.lot_id not in exclude:
                loss = -lot.gain * float(left) / lot.quantity
                out[lot.ticker] = out.get(lot.ticker, 0.0) + loss
    return out


def _exposure(fund: str, guard: WashGuard, losses: Mapping[str, float]) -> float:
    """The household's unrealised loss in securities substantially identical to ``fund``."""
    return math.fsum(loss for ticker, loss in losses.items() if guard.identical(ticker, fund))


class _Pass:
    """The working state of one pass: projected holdings after the trades planned so far."""

    def __init__(self, case: AccountCase, funds: FundMenu) -> None:
        inputs = case.inputs
        self.inputs = inputs
        self.account = inputs.account
        self.prices = case.prices
        self.target = case.target
        self.covariance = case.covariance
        self.funds = funds
        self.losses: Mapping[str, float] = {}  # the household's unrealised losses by ticker
        self.left: dict[str, Decimal] = {lot.lot_id: lot.shares for lot in inputs.lots}
        self.values: dict[str, float] = {}
        for lot in inputs.lots:
            self.values[lot.ticker] = self.values.get(lot.ticker, 0.0) + lot.value
        self.cash = inputs.cash
        self.total = math.fsum(self.values.values()) + self.cash
        #: the account once the withdrawal still owed is paid: what targets and drift apply to
        self.net_total = self.total - inputs.withdrawal
        self.sales: dict[str, _Sale] = {}
        self.buys: dict[str, float] = {}
        self.buy_reasons: dict[str, list[Reason]] = {}
        self.skipped: list[Skipped] = []
        self.actions: list[str] = []

    def class_values(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for ticker, value in self.values.items():
            if value > 0:
                c = self.funds.class_of(ticker)
                out[c] = out.get(c, 0.0) + value
        return out

    def lots_of(self, ticker: str) -> list[LotView]:
        return [
            lot for lot in self.inputs.lots if lot.ticker == ticker and self.left[lot.lot_id] > 0
        ]

    def lots_in_class(self, asset_class: str) -> list[LotView]:
        return [
            lot
            for lot in self.inputs.lots
            if self.left[lot.lot_id] > 0 and self.funds.class_of(lot.ticker) == asset_class
        ]

    def skip(self, ticker: str, side: Side, kind: SkipKind, detail: str) -> None:
        self.skipped.append(Skipped(ticker, side, kind, detail))

    def sell(self, lot: LotView, take: Decimal, reason: Reason, loss: bool) -> float:
        sale = self.sales.setdefault(lot.ticker, _Sale(lot.ticker))
        sale.picks.append((lot, take))
        if reason not in sale.reasons:
            sale.reasons.append(reason)
        sale.realises_loss = sale.realises_loss or loss
        self.left[lot.lot_id] -= take
        dollars = float(take) * lot.price
        self.values[lot.ticker] -= dollars
        self.cash += dollars
        return dollars

    def buy(self, ticker: str, dollars: float, reason: Reason) -> None:
        self.buys[ticker] = self.buys.get(ticker, 0.0) + dollars
        self.buy_reasons.setdefault(ticker, []).append(reason)
        self.values[ticker] = self.values.get(ticker, 0.0) + dollars
        self.cash -= dollars


class AccountPlanner:
    """Plans one account at a time; the household pass calls it once per account."""

    def __init__(
        self,
        policy: RebalancePolicy,
        bands: DriftBands,
        tax: TaxAwarePolicy,
        ids: IdFactory,
    ) -> None:
        self.policy = policy
        self.bands = bands
        self.tax = tax
        self.ids = ids

    # -- the pass ---------------------------------------------------------------------------

    def plan(
        self,
        inputs: AccountInputs,
        session: date,
        prices: Mapping[str, float],
        target: ClassTargetLike,
        covariance: Mapping[str, Mapping[str, float]],
        funds: FundMenu,
        guard: WashGuard,
    ) -> AccountPlan:
        """One account on its own (a household of one)."""
        case = AccountCase(inputs, prices, target, covariance)
        return self.plan_household((case,), session, funds, guard)[0]

    def plan_household(
        self,
        cases: Sequence[AccountCase],
        session: date,
        funds: FundMenu,
        guard: WashGuard,
    ) -> tuple[AccountPlan, ...]:
        """Every account of a household in one pass: all harvests first, then each account's
        cash flows and rebalancing, in the order given."""
        states = [_Pass(case, funds) for case in cases]
        befores = [self._drift(state) for state in states]
        active = [s for s in states if not s.inputs.open_orders and s.total > 0]
        if self.tax.harvest.enabled:
            self._harvest([s for s in active if s.account.account_type.is_taxable], states, guard)
        afters: dict[int, ClassDrift] = {}
        for state in active:
            state.losses = _household_losses(states)
            self._cash_flows(state, guard)
            after = self._drift(state)
            afters[id(state)] = after
            if after.breaches:
                self._rebalance(state, guard, after)
        plans: list[AccountPlan] = []
        for state, before in zip(states, befores, strict=True):
            account_id = state.account.account_id
            if state.inputs.open_orders:
                note = (
                    f"{state.inputs.open_orders} order(s) still open from an earlier session; "
                    "no new trades"
                )
                plans.append(
                    AccountPlan(
                        account_id,
                        session,
                        before.drift,
                        before.drift,
                        ("wait",),
                        (),
                        notes=(note,),
                    )
                )
                continue
            after = afters.get(id(state), before)
            plans.append(
                AccountPlan(
                    account_id,
                    session,
                    before.drift,
                    after.drift,
                    tuple(dict.fromkeys(state.actions)),
                    self._tickets(state, session),
                    tuple(state.skipped),
                    after.breaches if id(state) in afters else (),
                )
            )
        return tuple(plans)

    def _drift(self, state: _Pass) -> ClassDrift:
        return class_drift(
            state.class_values(),
            state.cash - state.inputs.withdrawal,
            state.target.weights,
            state.target.cash,
            self.bands,
            min_value=self.policy.min_trade,
        )

    def _spare_cash(self, state: _Pass) -> float:
        """Cash above the target's cash weight (after any withdrawal still to pay)."""
        return state.cash - state.inputs.withdrawal - state.target.cash * state.net_total

    def _worth_investing(self, state: _Pass) -> float:
        return max(self.policy.min_trade, self.policy.invest_above * state.total)

    # -- 1. harvesting ----------------------------------------------------------------------

    def _harvest(self, taxable: Sequence[_Pass], states: Sequence[_Pass], guard: WashGuard) -> None:
        """Pick every account's harvests, register all their loss sales with the guard, then
        find each one a replacement (a harvest with none is dropped)."""
        chosen = [h for state in taxable for h in self._harvests(state, guard)]
        for h in chosen:
            guard.note_loss_sale(h.state.account.account_id, h.ticker)
        harvested = {lot.lot_id for h in chosen for lot in h.losers}
        losses = _household_losses(states, exclude=harvested)
        for h in chosen:
            state = h.state
            asset_class = state.funds.class_of(h.ticker)
            replacement, passed = self._replacement(state, asset_class, h.ticker, guard, losses)
            if replacement is None:
                state.skip(
                    h.ticker,
                    Side.SELL,
                    SkipKind.NO_REPLACEMENT,
                    f"harvest of the ${h.loss:,.2f} loss on {h.ticker}: no fund of "
                    f"{asset_class} can replace it ({'; '.join(passed) or 'no other fund trades'})",
                )
                continue
            reason = Reason(
                ReasonKind.HARVEST,
                f"harvest {len(h.losers)} lot(s) of {h.ticker} "
                f"({', '.join(lot.lot_id for lot in h.losers)}) at a ${h.loss:,.2f} loss, above "
                f"the ${h.threshold:,.2f} threshold; expected benefit ${h.benefit:,.2f} (loss x "
                f"tax rate x {self.tax.harvest.deferral_value:.2f} deferral value) against a "
                f"${h.cost:,.2f} round-trip cost; proceeds buy {replacement}",
                (
                    ("loss", h.loss),
                    ("threshold", h.threshold),
                    ("benefit", h.benefit),
                    ("cost", h.cost),
                    ("value", h.value),
                ),
            )
            for lot in h.losers:
                state.sell(lot, state.left[lot.lot_id], reason, loss=True)
            why = (
                f"replacement for {h.ticker} in {asset_class}: {replacement} is the first fund "
                f"in this account's order that is not substantially identical to {h.ticker}, not "
                "blocked by the household's wash-sale window and not held at a loss in the "
                "household" + (f" (passed over: {'; '.join(passed)})" if passed else "")
            )
            state.buy(
                replacement,
                h.value * (1.0 - self.tax.trading_cost),
                Reason(ReasonKind.HARVEST, why, (("loss_harvested", h.loss), ("value", h.value))),
            )
            guard.note_buy(state.account.account_id, replacement)
            state.actions.append("harvest")

    def _harvests(self, state: _Pass, guard: WashGuard) -> list[_Harvest]:
        """The account's funds whose loss lots are worth harvesting now."""
        policy = self.tax.harvest
        threshold = max(policy.min_loss, policy.min_loss_fraction * state.total)
        out: list[_Harvest] = []
        for ticker in sorted({lot.ticker for lot in state.inputs.lots}):
            losers = [lot for lot in state.lots_of(ticker) if lot.gain < 0]
            loss = -math.fsum(lot.gain for lot in losers)
            if not losers or loss < threshold:
                continue
            selling = {lot.lot_id: state.left[lot.lot_id] for lot in losers}
            blocker = guard.loss_sale_blocker(ticker, selling)
            if blocker is not None:
                state.skip(
                    ticker,
                    Side.SELL,
                    SkipKind.WASH_SALE,
                    f"harvest of the ${loss:,.2f} loss on {ticker} would be a wash sale: {blocker}",
                )
                continue
            value = math.fsum(lot.value for lot in losers)
            benefit = policy.deferral_value * math.fsum(
                -lot.gain * self.tax.rate(lot.long_term) for lot in losers
            )
            cost = 2.0 * self.tax.trading_cost * value
            if benefit <= policy.cost_multiple * cost:
                state.skip(
                    ticker,
                    Side.SELL,
                    SkipKind.BENEFIT_BELOW_COST,
                    f"harvest of the ${loss:,.2f} loss on {ticker}: expected benefit "
                    f"${benefit:,.2f} does not beat {policy.cost_multiple:g} x the "
                    f"${cost:,.2f} round-trip cost",
                )
                continue
            out.append(_Harvest(state, ticker, losers, loss, threshold, benefit, cost, value))
        return out

    def _replacement(
        self,
        state: _Pass,
        asset_class: str,
        sold: str,
        guard: WashGuard,
        losses: Mapping[str, float],
    ) -> tuple[str | None, list[str]]:
        passed: list[str] = []
        clear: list[str] = []
        for candidate in state.funds.candidates(asset_class, state.account):
            if candidate == sold or guard.identical(candidate, sold):
                passed.append(f"{candidate} is substantially identical to {sold}")
                continue
            blocker = guard.buy_blocker(candidate)
            if blocker is not None:
                passed.append(f"{candidate}: {blocker}")
                continue
            clear.append(candidate)
        if not clear:
            return None, passed
        pick, note = self._least_exposed(clear, guard, losses)
        if note:
            passed.append(note)
        return pick, passed

    def _least_exposed(
        self, funds: Sequence[str], guard: WashGuard, losses: Mapping[str, float]
    ) -> tuple[str, str]:
        """The first of ``funds`` not held at a loss (of ``min_loss`` or more) in the household,
        else the one with the smallest such loss; and a note on the funds passed over."""
        exposure = {f: _exposure(f, guard, losses) for f in funds}
        floor = self.tax.harvest.min_loss
        pick = next((f for f in funds if exposure[f] < floor), None)
        if pick is None:
            pick = min(funds, key=lambda f: exposure[f])
        over = [f for f in funds[: funds.index(pick)] if exposure[f] >= floor]
        note = "; ".join(
            f"{f} is held at a ${exposure[f]:,.2f} loss in the household (a purchase would block "
            "its harvest for 30 days)"
            for f in over
        )
        return pick, note

    # -- 2. cash flows ----------------------------------------------------------------------

    def _cash_flows(self, state: _Pass, guard: WashGuard) -> None:
        target = state.target
        withdrawal = state.inputs.withdrawal
        total_after = state.net_total
        needed = withdrawal + target.cash * total_after - state.cash
        if withdrawal > 0 and needed > 0:
            self._raise_cash(state, needed, total_after, guard)
            return
        excess = self._spare_cash(state)
        if excess < self._worth_investing(state):
            return
        values = state.class_values()
        deficits = {
            c: max(0.0, w * total_after - values.get(c, 0.0)) for c, w in target.weights.items()
        }
        short = math.fsum(deficits.values())
        if short >= excess:
            amounts = {c: excess * d / short for c, d in deficits.items()}
        else:
            invested = math.fsum(target.weights.values())
            amounts = {
                c: deficits[c] + (excess - short) * w / invested for c, w in target.weights.items()
            }
        drift = self._drift(state)
        for asset_class, dollars in sorted(amounts.items()):
            if dollars <= 0:
                continue
            if dollars < self.policy.min_trade:
                state.skip(
                    asset_class,
                    Side.BUY,
                    SkipKind.BELOW_MINIMUM,
                    f"buy of ${dollars:,.2f} of {asset_class} is below the "
                    f"${self.policy.min_trade:,.2f} minimum",
                )
                continue
            fund, note = self._fund_for_buy(state, asset_class, guard)
            if fund is None:
                continue
            reason = Reason(
                ReasonKind.CASH_FLOW,
                f"invest ${excess:,.2f} of cash above target: {drift.describe(asset_class)}" + note,
                (
                    ("cash_to_invest", excess),
                    ("buy_dollars", dollars),
                    ("weight", drift.weights.get(asset_class, 0.0)),
                    ("target_weight", drift.targets.get(asset_class, 0.0)),
                ),
            )
            state.buy(fund, dollars, reason)
            guard.note_buy(state.account.account_id, fund)
            state.actions.append("cash_flow")

    def _fund_for_buy(
        self, state: _Pass, asset_class: str, guard: WashGuard
    ) -> tuple[str | None, str]:
        """The fund a buy of ``asset_class`` goes to, and a note when it is not the obvious one:
        the class's fund the account already holds most of, else the first in its order of
        preference, skipping any the household's wash-sale window blocks and, while another is
        clear, any held at a loss in the household (see the module's notes)."""
        held = sorted(
            (
                t
                for t, v in state.values.items()
                if v > 0 and state.funds.class_of(t) == asset_class
            ),
            key=lambda t: -state.values[t],
        )
        tradable = state.funds.candidates(asset_class, state.account)
        order = [t for t in held if t in tradable] + [t for t in tradable if t not in held]
        blocked: list[str] = []
        clear: list[str] = []
        for ticker in order:
            blocker = guard.buy_blocker(ticker)
            if blocker is None:
                clear.append(ticker)
            else:
                blocked.append(f"{ticker}: {blocker}")
        if not clear:
            state.skip(
                asset_class,
                Side.BUY,
                SkipKind.WASH_SALE,
                f"no fund of {asset_class} can be bought now: {'; '.join(blocked) or 'none trades'}",
            )
            return None, ""
        fund, note = self._least_exposed(clear, guard, state.losses)
        return fund, (f"; {fund} rather than {note}" if note else "")

    def _raise_cash(
        self, state: _Pass, needed: float, total_after: float, guard: WashGuard
    ) -> None:
        target = state.target
        values = state.class_values()
        over = {c: v - target.weights.get(c, 0.0) * total_after for c, v in values.items()}
        reason = Reason(
            ReasonKind.CASH_FLOW,
            f"raise ${needed:,.2f} for a withdrawal of ${state.inputs.withdrawal:,.2f}: "
            "the most overweight classes are sold first, lots by the account's lot method",
            (("withdrawal", state.inputs.withdrawal), ("cash_needed", needed)),
        )
        left = needed
        for asset_class in sorted(over, key=lambda c: -over[c]):
            if left <= 0:
                break
            amount = min(left, max(over[asset_class], 0.0)) or 0.0
            if amount <= 0:
                continue
            left -= self._sell_class(state, asset_class, amount, reason, guard, None, cover=True)
        if left > 0.01:  # every class at or below target: sell pro rata to value
            total = math.fsum(values.values())
            for asset_class, value in sorted(values.items()):
                share = left * value / total if total > 0 else 0.0
                if share > 0:
                    self._sell_class(state, asset_class, share, reason, guard, None, cover=True)
        state.actions.append("withdrawal")

    # -- 3. rebalancing ---------------------------------------------------------------------

    def _rebalance(self, state: _Pass, guard: WashGuard, drift: ClassDrift) -> None:
        target = state.target
        total = state.net_total
        values = state.class_values()
        classes = sorted(set(values) | set(target.weights))
        delta = {c: target.weights.get(c, 0.0) * total - values.get(c, 0.0) for c in classes}
        taxable = state.account.account_type.is_taxable
        for asset_class in sorted(classes, key=lambda c: delta[c]):
            if delta[asset_class] >= -self.policy.min_trade:
                continue
            reason = _drift_reason(drift, asset_class, "sell", delta[asset_class])
            benefit = _TrackingBenefit(state, self.tax.risk_aversion) if taxable else None
            self._sell_class(state, asset_class, -delta[asset_class], reason, guard, benefit)
        budget = self._spare_cash(state)
        if budget < self._worth_investing(state):
            state.actions.append("rebalance")
            return
        values = state.class_values()
        wanted = {
            c: target.weights.get(c, 0.0) * total - values.get(c, 0.0) for c in target.weights
        }
        wanted = {c: d for c, d in wanted.items() if d > self.policy.min_trade}
        scale = min(1.0, budget / math.fsum(wanted.values())) if wanted and budget > 0 else 0.0
        for asset_class, dollars in sorted(wanted.items()):
            amount = dollars * scale
            if amount < self.policy.min_trade:
                continue
            fund, note = self._fund_for_buy(state, asset_class, guard)
            if fund is None:
                continue
            reason = _drift_reason(drift, asset_class, "buy", amount, note)
            state.buy(fund, amount, reason)
            guard.note_buy(state.account.account_id, fund)
        state.actions.append("rebalance")

    def _sell_class(
        self,
        state: _Pass,
        asset_class: str,
        dollars: float,
        reason: Reason,
        guard: WashGuard,
        benefit: _TrackingBenefit | None,
        cover: bool = False,
    ) -> float:
        """Sell about ``dollars`` of ``asset_class``, lots in the account's lot-method order.

        Returns the dollars sold. Loss lots the wash-sale window blocks are skipped; with a
        ``benefit`` (taxable rebalancing), gain lots are sold only while worth their tax. With
        ``cover`` (cash that must be raised), whole shares are rounded up rather than down."""
        sold = 0.0
        taxable = state.account.account_type.is_taxable
        for lot in self._ordered(state, state.lots_in_class(asset_class)):
            remaining = dollars - sold
            if remaining < self.policy.min_trade * 0.5:
                break
            left = state.left[lot.lot_id]
            take = (
                left
                if lot.price * float(left) <= remaining
                else sell_quantity(remaining, lot.price, left)
            )
            if not state.account.fractional and take != left:
                take = (
                    min(left, take.to_integral_value(rounding=ROUND_CEILING))
                    if cover
                    else whole_shares(take)
                )
            if take <= 0:
                continue
            amount = float(take) * lot.price
            gain = lot.gain * float(take) / lot.quantity
            loss = taxable and gain < 0
            if loss:
                blocker = guard.loss_sale_blocker(lot.ticker, {lot.lot_id: take})
                if blocker is not None:
                    state.skip(
                        lot.ticker,
                        Side.SELL,
                        SkipKind.WASH_SALE,
                        f"sale of lot {lot.lot_id} at a ${-gain:,.2f} loss would be a wash "
                        f"sale: {blocker}",
                    )
                    continue
            elif benefit is not None:
                tax = gain * self.tax.rate(lot.long_term)
                cost = 2.0 * self.tax.trading_cost * amount
                worth = benefit.of_selling(asset_class, amount)
                if worth < tax + cost:
                    state.skip(
                        lot.ticker,
                        Side.SELL,
                        SkipKind.TAX_COST,
                        f"sale of ${amount:,.2f} from lot {lot.lot_id} would realise a "
                        f"${gain:,.2f} {'long' if lot.long_term else 'short'}-term gain: tax "
                        f"${tax:,.2f} + cost ${cost:,.2f} exceed the ${worth:,.2f} benefit of "
                        "moving toward the target",
                    )
                    break
            sold += state.sell(lot, take, reason, loss=loss)
            if loss:
                guard.note_loss_sale(state.account.account_id, lot.ticker)
        return sold

    def _ordered(self, state: _Pass, lots: Sequence[LotView]) -> list[LotView]:
        method = state.account.lot_method
        if method is LotMethod.FIFO:
            return list(lots)  # the book keeps lots in acquisition order
        if method is LotMethod.HIFO:
            return sorted(lots, key=lambda lot: -lot.tax_cost_per_share)

        def tax_min(lot: LotView) -> tuple[int, float]:
            per_share = lot.gain / lot.quantity
            if per_share < 0:
                return (0, per_share)
            return (1 if lot.long_term else 2, per_share)

        return sorted(lots, key=tax_min)  # tax_min and specific (the engine names the lots)

    # -- tickets ----------------------------------------------------------------------------

    def _tickets(self, state: _Pass, session: date) -> tuple[TradeTicket, ...]:
        account = state.account
        prices = state.prices
        tickets: list[TradeTicket] = []
        for ticker, sale in sorted(state.sales.items()):
            if sale.shares <= 0:
                continue
            limit = None
            if account.account_type.is_taxable and not sale.realises_loss:
                highest = max(Decimal(repr(lot.tax_cost_per_share)) for lot, _ in sale.picks)
                limit = price(highest.quantize(Decimal("0.0001"), rounding=ROUND_CEILING))
            tickets.append(
                TradeTicket(
                    ticket_id=self.ids.new("tkt"),
                    account_id=account.account_id,
                    session=session,
                    ticker=ticker,
                    side=Side.SELL,
                    reasons=tuple(sale.reasons),
                    quantity=sale.shares,
                    # a lot picked twice (a class sold down, then pro rata) is named once
                    lot_ids=tuple(dict.fromkeys(lot.lot_id for lot, _ in sale.picks)),
                    limit_price=limit,
                )
            )
        sized: dict[str, tuple[Decimal | None, Decimal | None]] = {}
        if account.fractional:
            for ticker, dollars in state.buys.items():
                if dollars >= self.policy.min_trade:
                    sized[ticker] = (None, buy_notional(dollars))
                else:
                    self._below_minimum(state, ticker, dollars)
        else:
            # the planned buys are within the cash; whole shares track them as closely as the
            # cash allows (a share is priced at the close plus the overnight buffer)
            lifted = {t: prices[t] * (1.0 + self.policy.whole_share_buffer) for t in state.buys}
            budget = math.fsum(state.buys.values())
            shares = whole_share_buys(budget, state.buys, lifted)
            sized = {t: (Decimal(n), None) for t, n in shares.items()}
            for ticker in state.buys:
                if ticker not in shares:
                    self._below_minimum(state, ticker, state.buys[ticker], whole=True)
        for ticker, (quantity, notional) in sorted(sized.items()):
            tickets.append(
                TradeTicket(
                    ticket_id=self.ids.new("tkt"),
                    account_id=account.account_id,
                    session=session,
                    ticker=ticker,
                    side=Side.BUY,
                    reasons=tuple(state.buy_reasons[ticker]),
                    quantity=quantity,
                    notional=notional,
                )
            )
        return tuple(tickets)

    def _below_minimum(
        self, state: _Pass, ticker: str, dollars: float, whole: bool = False
    ) -> None:
        what = (
            "less than one share" if whole else f"below the ${self.policy.min_trade:,.2f} minimum"
        )
        state.skip(
            ticker,
            Side.BUY,
            SkipKind.BELOW_MINIMUM,
            f"buy of ${dollars:,.2f} of {ticker} is {what}",
        )


def _drift_reason(
    drift: ClassDrift, asset_class: str, side: str, dollars: float, note: str = ""
) -> Reason:
    """Why a rebalancing trade of ``asset_class`` exists: the drift, the band and the numbers."""
    return Reason(
        ReasonKind.DRIFT,
        f"drift {drift.drift:.2%} with {', '.join(drift.breaches)} outside the band; "
        f"{drift.describe(asset_class)}: {side} toward target{note}",
        (
            ("drift", drift.drift),
            ("weight", drift.weights.get(asset_class, 0.0)),
            ("target_weight", drift.targets.get(asset_class, 0.0)),
            ("tolerance", drift.tolerances.get(asset_class, 0.0)),
            ("trade_dollars", dollars),
        ),
    )


class _TrackingBenefit:
    """lambda/2 x (d'Sd before - after) x value: the one-year tracking cost a sale removes when
    its proceeds go to the underweight classes in proportion to their deficits."""

    def __init__(self, state: _Pass, risk_aversion: float) -> None:
        self.state = state
        self.target = state.target
        self.covariance = state.covariance
        self.risk_aversion = risk_aversion

    def _deviations(self) -> dict[str, float]:
        total = self.state.net_total
        values = self.state.class_values()
        classes = set(values) | set(self.target.weights)
        return {c: values.get(c, 0.0) / total - self.target.weights.get(c, 0.0) for c in classes}

    def _variance(self, d: Mapping[str, float]) -> float:
        cov = self.covariance
        return math.fsum(
            d[a] * d[b] * cov.get(a, {}).get(b, 0.0) for a in d for b in d if d[a] and d[b]
        )

    def of_selling(self, asset_class: str, dollars: float) -> float:
        total = self.state.net_total
        d = self._deviations()
        after = dict(d)
        after[asset_class] = after.get(asset_class, 0.0) - dollars / total
        under = {c: -v for c, v in d.items() if v < 0 and c != asset_class}
        short = math.fsum(under.values())
        for c, gap in under.items():
            after[c] += dollars / total * gap / short
        return 0.5 * self.risk_aversion * (self._variance(d) - self._variance(after)) * total
