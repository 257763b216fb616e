"""Custody refuses any change that would make cash or a position negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from execution_helpers import D1

from microfolio.domain import Fill, Side
from microfolio.errors import InvariantError
from microfolio.execution import Custody


def _fill(side: Side, quantity: str, account_id: str = "acc") -> Fill:
    return Fill(
        fill_id="fill-1",
        order_id="ord-1",
        account_id=account_id,
        ticker="AAA",
        side=side,
        quantity=Decimal(quantity),
        price=Decimal("10"),
        commission=Decimal("0.01"),
        session=D1,
        reference_price=Decimal("10"),
    )


def test_settle_applies_cash_and_shares() -> None:
    custody = Custody("acc")
    custody.deposit(Decimal("100.00"))

    custody.settle(_fill(Side.BUY, "2"))
    custody.settle(_fill(Side.SELL, "2"))

    assert custody.cash == Decimal("100.00") - Decimal("20.01") + Decimal("19.99")
    assert custody.positions() == {}


@pytest.mark.parametrize(("side", "quantity"), [(Side.BUY, "10"), (Side.SELL, "1")])
def test_settle_refuses_to_go_negative_and_changes_nothing(side: Side, quantity: str) -> None:
    custody = Custody("acc")
    custody.deposit(Decimal("100.00"))

    with pytest.raises(InvariantError, match="would leave account acc"):
        custody.settle(_fill(side, quantity))

    assert (custody.cash, custody.positions()) == (Decimal("100.00"), {})


def test_settle_refuses_another_accounts_fill() -> None:
    with pytest.raises(InvariantError, match="not acc"):
        Custody("acc").settle(_fill(Side.BUY, "1", account_id="other"))
