"""Fixtures for the ledger tests: deterministic ids and a maker of synthetic fills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger_helpers import D1, FillMaker

from microfolio.domain import Fill, IdFactory, SequentialIds, Side


@pytest.fixture
def ids() -> IdFactory:
    return SequentialIds()


@pytest.fixture
def make_fill() -> FillMaker:
    """Fills ``fill-1``, ``fill-2`` ... for account ``acc``, at the given price and commission."""
    counter = iter(range(1, 1_000_000))

    def make(
        side: Side,
        shares: str,
        price: str,
        commission: str = "0",
        ticker: str = "AAA",
        session: date = D1,
        account_id: str = "acc",
    ) -> Fill:
        n = next(counter)
        return Fill(
            fill_id=f"fill-{n}",
            order_id=f"ord-{n}",
            account_id=account_id,
            ticker=ticker,
            side=side,
            quantity=Decimal(shares),
            price=Decimal(price),
            commission=Decimal(commission),
            session=session,
            reference_price=Decimal(price),
        )

    return make
