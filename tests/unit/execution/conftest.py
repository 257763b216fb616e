"""Fixtures for the execution tests: a table of opening prices and a broker built on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from execution_helpers import D0, OpenTable, OrderMaker

from microfolio.domain import Order, SequentialIds, Side
from microfolio.execution import CostModel, SimulatedBroker


@pytest.fixture
def opens() -> OpenTable:
    return OpenTable()


@pytest.fixture
def costs() -> CostModel:
    return CostModel(half_spread_bps=2.0, commission_bps=1.0)


@pytest.fixture
def broker(opens: OpenTable, costs: CostModel) -> SimulatedBroker:
    return SimulatedBroker(opens, costs, SequentialIds())


@pytest.fixture
def make_order() -> OrderMaker:
    """Orders ``ord-1``, ``ord-2`` ... for account ``acc``, decided on D0, by default."""
    counter = iter(range(1, 1_000_000))

    def make(
        ticker: str = "AAA",
        side: Side = Side.BUY,
        quantity: str | None = None,
        notional: str | None = None,
        account_id: str = "acc",
        created: date = D0,
    ) -> Order:
        return Order(
            order_id=f"ord-{next(counter)}",
            account_id=account_id,
            ticker=ticker,
            side=side,
            created=created,
            quantity=Decimal(quantity) if quantity is not None else None,
            notional=Decimal(notional) if notional is not None else None,
        )

    return make
