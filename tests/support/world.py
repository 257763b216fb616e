"""A small world for cycle tests: the bundled data, a migrated store, a broker, the model family
and one household run through the household cycle.

The household has three accounts, each with a risk level: a fractional taxable account
(tax-minimising lots), the spouse's taxable account in whole shares (HIFO) and a Roth IRA (FIFO).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from microfolio.advisor import ModelFamily
from microfolio.data import GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.domain import Account, AccountType, Household, LotMethod, SequentialIds
from microfolio.execution import CostModel, MarketOpenPrices, SimulatedBroker
from microfolio.rebalance import AccountPlanner, DriftBands, RebalancePolicy, TaxAwarePolicy
from microfolio.services import HouseholdCycle, HouseholdResult
from microfolio.store import Store
from microfolio.tax import SecurityIdentity

HOUSEHOLD = "hh-1"
TAXABLE = "acct-taxable"
SPOUSE = "acct-spouse"
IRA = "acct-ira"
RISK_LEVEL = 6
DEPOSIT = Decimal("10000.00")
ACCOUNTS = (
    Account(
        TAXABLE,
        HOUSEHOLD,
        "Taxable (fractional)",
        AccountType.TAXABLE,
        lot_method=LotMethod.TAX_MIN,
        risk_level=RISK_LEVEL,
    ),
    Account(
        SPOUSE,
        HOUSEHOLD,
        "Spouse taxable (whole shares)",
        AccountType.TAXABLE,
        fractional=False,
        lot_method=LotMethod.HIFO,
        risk_level=RISK_LEVEL,
    ),
    Account(IRA, HOUSEHOLD, "Roth IRA", AccountType.ROTH_IRA, risk_level=4),
)


@functools.cache
def bundled_market() -> MarketData:
    """The bundled data behind the default gate, built once per test process."""
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@functools.cache
def bundled_family() -> ModelFamily:
    """The shipped model family, shared per test process (its targets are cached by date and
    depend on nothing else, so sharing only saves recomputing them)."""
    return ModelFamily.load()


def sessions_from(market: MarketData, start: str, count: int | None = None) -> list[date]:
    """The market's sessions from ``start`` on (``count`` of them; None: all)."""
    chosen = market.sessions[market.sessions >= start]
    if count is not None:
        chosen = chosen[:count]
    return [ts.date() for ts in chosen]


@dataclass
class World:
    store: Store
    broker: SimulatedBroker
    cycle: HouseholdCycle
    market: MarketData
    ids: SequentialIds
    accounts: tuple[Account, ...]
    household_id: str = HOUSEHOLD

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.account_id for a in self.accounts)

    def step(
        self,
        session: date,
        deposits: Mapping[str, Decimal] | None = None,
        withdrawals: Mapping[str, Decimal] | None = None,
    ) -> HouseholdResult:
        """One session as the backtest runs it: the market opens (yesterday's orders fill),
        then the household's cycle runs after the close."""
        self.broker.advance(session)
        return self.cycle.run(self.household_id, session, deposits, withdrawals)

    def run(
        self, sessions: Sequence[date], deposits: Mapping[date, Mapping[str, Decimal]]
    ) -> list[HouseholdResult]:
        return [self.step(session, deposits.get(session)) for session in sessions]


def make_world(
    market: MarketData,
    path: Path,
    accounts: Sequence[Account] = ACCOUNTS,
    tax: TaxAwarePolicy | None = None,
) -> World:
    store = Store.open(f"sqlite:///{path / 'test.db'}")
    store.migrate()
    ids = SequentialIds()
    with store.unit_of_work() as uow:
        uow.add_assets(load_universe())
        uow.add_household(Household(HOUSEHOLD, "Test household"))
        for account in accounts:
            uow.add_account(account)
    broker = SimulatedBroker(MarketOpenPrices(market), CostModel(), ids)
    cycle = HouseholdCycle(
        store=store,
        broker=broker,
        market=market,
        family=bundled_family(),
        planner=AccountPlanner(RebalancePolicy(), DriftBands(), tax or TaxAwarePolicy(), ids),
        identity=SecurityIdentity.default(),
        ids=ids,
    )
    return World(store, broker, cycle, market, ids, tuple(accounts))
