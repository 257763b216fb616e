"""Trades to orders: where float dollar amounts become Decimal notionals and share quantities.

This is one of the two places where analytics (floats) meet money (Decimal); the other is the
valuation of holdings into weights (``microfolio.ledger.valuation``).
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal

from microfolio.domain import money, quantity

__all__ = ["buy_notional", "sell_quantity", "whole_shares"]


def buy_notional(dollars: float) -> Decimal:
    """A dollar amount to spend, rounded down to the cent."""
    return money(Decimal(repr(dollars)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))


def sell_quantity(dollars: float, price: float, held: Decimal) -> Decimal:
    """Shares to sell for about ``dollars`` at ``price``, never more than held."""
    if not (math.isfinite(price) and price > 0):
        raise ValueError(f"price must be positive and finite, got {price}")
    return min(held, quantity(dollars / price))


def whole_shares(shares: Decimal) -> Decimal:
    """Round a share quantity down to whole shares."""
    return shares.to_integral_value(rounding=ROUND_FLOOR)
