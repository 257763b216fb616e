"""A small world for cycle tests: the bundled data, a migrated store, a broker, one model."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from microfolio.advisor import InverseVolModel
from microfolio.data import GatePolicy, MarketData, load_bundled_bars
from microfolio.domain import Account, AccountType, Household, SequentialIds
from microfolio.execution import CostModel, MarketOpenPrices, SimulatedBroker
from microfolio.rebalance import Planner, RebalancePolicy
from microfolio.services import DailyCycle
from microfolio.store import Store

TICKERS = ("VTI", "EFA", "AGG", "VNQ", "GLD")
DEPOSIT = Decimal("10000.00")


@functools.cache
def bundled_market() -> MarketData:
    """The bundled data behind the default gate, built once per test process."""
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@dataclass
class World:
    store: Store
    broker: SimulatedBroker
    cycle: DailyCycle
    market: MarketData
    ids: SequentialIds


def make_world(market: MarketData, path: Path, model: object | None = None) -> World:
    store = Store.open(f"sqlite:///{path / 'test.db'}")
    store.migrate()
    ids = SequentialIds()
    with store.unit_of_work() as uow:
        uow.add_household(Household("hh-1", "Test household"))
        uow.add_account(Account("acct-1", "hh-1", "Taxable", AccountType.TAXABLE))
        uow.add_account(Account("acct-2", "hh-1", "Whole", AccountType.ROTH_IRA, fractional=False))
    broker = SimulatedBroker(MarketOpenPrices(market), CostModel(), ids)
    cycle = DailyCycle(
        store=store,
        broker=broker,
        market=market,
        model=model or InverseVolModel(TICKERS),  # type: ignore[arg-type]
        planner=Planner(RebalancePolicy(), ids),
        ids=ids,
    )
    return World(store, broker, cycle, market, ids)
