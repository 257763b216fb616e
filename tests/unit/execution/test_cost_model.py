"""Cost model arithmetic: spread on the price, commission on the gross, affordability."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from microfolio.domain import Side
from microfolio.execution import CostModel


def test_defaults_are_two_bps_half_spread_and_one_bp_commission() -> None:
    costs = CostModel()
    assert (costs.half_spread_bps, costs.commission_bps, costs.min_commission) == (
        2.0,
        1.0,
        Decimal(0),
    )


def test_buy_pays_the_half_spread_above_the_reference() -> None:
    assert CostModel(half_spread_bps=2).fill_price(Side.BUY, Decimal("100")) == Decimal("100.02")


def test_sell_gets_the_half_spread_below_the_reference() -> None:
    assert CostModel(half_spread_bps=2).fill_price(Side.SELL, Decimal("100")) == Decimal("99.98")


def test_fill_price_rounds_half_even_to_the_price_quantum() -> None:
    # 12.3456 * 1.0002 = 12.34806912 -> 12.3481; 12.3456 * 0.9998 = 12.34313088 -> 12.3431
    costs = CostModel(half_spread_bps=2)
    assert costs.fill_price(Side.BUY, Decimal("12.3456")) == Decimal("12.3481")
    assert costs.fill_price(Side.SELL, Decimal("12.3456")) == Decimal("12.3431")


def test_commission_is_bps_of_gross_to_the_cent() -> None:
    costs = CostModel(commission_bps=1)
    assert costs.commission(Decimal("10002.00")) == Decimal("1.00")
    assert costs.commission(Decimal("12345.67")) == Decimal("1.23")
    assert costs.commission(Decimal("250.00")) == Decimal("0.02")  # 0.025 half-even


def test_commission_never_below_the_minimum() -> None:
    costs = CostModel(commission_bps=1, min_commission=Decimal("1.50"))
    assert costs.commission(Decimal("100.00")) == Decimal("1.50")
    assert costs.commission(Decimal("100000.00")) == Decimal("10.00")


def test_zero_cost_model_is_free() -> None:
    costs = CostModel(half_spread_bps=0, commission_bps=0)
    assert costs.fill_price(Side.BUY, Decimal("50.5")) == Decimal("50.5000")
    assert costs.commission(Decimal("1000")) == 0


def test_buy_outlay_is_gross_plus_commission() -> None:
    costs = CostModel(commission_bps=1)
    assert costs.buy_outlay(Decimal("10"), Decimal("100.02")) == Decimal("1000.30")


def test_max_quantity_is_the_largest_affordable_quantum() -> None:
    costs = CostModel(commission_bps=1)
    shares = costs.max_quantity(Decimal("1000.00"), Decimal("100.02"))

    assert costs.buy_outlay(shares, Decimal("100.02")) <= Decimal("1000.00")
    assert costs.buy_outlay(shares + Decimal("0.000001"), Decimal("100.02")) > Decimal("1000.00")
    # 9.997050 * 100.02 = 999.904941 -> 999.90, + 0.10 commission = 1000.00 exactly;
    # one more quantum makes the gross 999.905041 -> 999.91 and the outlay 1000.01
    assert shares == Decimal("9.997050")


def test_max_quantity_respects_the_minimum_commission() -> None:
    costs = CostModel(commission_bps=0, min_commission=Decimal("5.00"))
    assert costs.max_quantity(Decimal("4.99"), Decimal("1")) == 0
    # 10.005000 shares at $1 cost 10.00 (half to even) + 5.00; 10.005001 would cost 10.01 + 5.00
    assert costs.max_quantity(Decimal("15.00"), Decimal("1")) == Decimal("10.005000")


def test_max_quantity_of_nothing_is_zero() -> None:
    assert CostModel().max_quantity(Decimal("0"), Decimal("10")) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"half_spread_bps": -1.0},
        {"commission_bps": float("nan")},
        {"half_spread_bps": 10_000.0},
        {"min_commission": Decimal("-1")},
        {"min_commission": Decimal("0.001")},
        {"slippage_bps": 3.0},
    ],
)
def test_invalid_configuration_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CostModel.model_validate(kwargs)


def test_cost_model_is_frozen() -> None:
    costs = CostModel()
    with pytest.raises(ValidationError):
        costs.half_spread_bps = 5.0  # type: ignore[misc]
