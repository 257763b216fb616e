"""Decimal money and quantities: the rounding rules in one place."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

__all__ = ["CENT", "PRICE_QUANTUM", "QUANTITY_QUANTUM", "ZERO", "money", "price", "quantity"]

ZERO = Decimal("0")
CENT = Decimal("0.01")
#: fractional shares are kept to a millionth of a share
QUANTITY_QUANTUM = Decimal("0.000001")
#: execution prices are kept to a hundredth of a cent
PRICE_QUANTUM = Decimal("0.0001")


def _dec(value: Decimal | int | str | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # repr gives the shortest string that round-trips, so 0.1 becomes Decimal("0.1")
        return Decimal(repr(value))
    return Decimal(value)


def money(value: Decimal | int | str | float) -> Decimal:
    """Round to the cent, half to even (banker's rounding)."""
    return _dec(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


def quantity(value: Decimal | int | str | float) -> Decimal:
    """Round a share quantity down to the quantum, so an order never exceeds what was meant."""
    return _dec(value).quantize(QUANTITY_QUANTUM, rounding=ROUND_DOWN)


def price(value: Decimal | int | str | float) -> Decimal:
    """Round an execution price to the price quantum, half to even."""
    return _dec(value).quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
