"""Trading costs: the half-spread a market order crosses and the commission on its gross.

The cost model is configuration (frozen pydantic, unknown keys refused), so a backtest records
exactly which costs it ran with. Its arithmetic is Decimal and rounds only through
:mod:`microfolio.domain.money`, so a fill is reproducible to the cent.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from microfolio.domain.money import CENT, QUANTITY_QUANTUM, ZERO, money, price
from microfolio.domain.order import Side

__all__ = ["CostModel"]

_BPS = Decimal(10_000)


def _bps(value: float) -> Decimal:
    """Basis points as an exact Decimal fraction (2.0 bps -> 0.0002)."""
    return Decimal(repr(float(value))) / _BPS


class CostModel(BaseModel):
    """Half-spread and commission, both in basis points, plus a minimum commission in dollars."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    half_spread_bps: float = Field(default=2.0, ge=0.0, lt=10_000.0, allow_inf_nan=False)
    commission_bps: float = Field(default=1.0, ge=0.0, lt=10_000.0, allow_inf_nan=False)
    min_commission: Decimal = Field(default=ZERO, ge=ZERO, allow_inf_nan=False)

    @field_validator("min_commission")
    @classmethod
    def _whole_cents(cls, value: Decimal) -> Decimal:
        if value != money(value):
            raise ValueError(f"min_commission must be whole cents, got {value}")
        return value

    def fill_price(self, side: Side, reference: Decimal) -> Decimal:
        """What one share costs (buy) or fetches (sell) when crossing the half-spread."""
        half_spread = _bps(self.half_spread_bps)
        factor = Decimal(1) + half_spread if side is Side.BUY else Decimal(1) - half_spread
        return price(reference * factor)

    def commission(self, gross: Decimal) -> Decimal:
        """Commission on a gross amount: ``max(min_commission, bps * gross)`` to the cent."""
        return max(self.min_commission, money(abs(gross) * _bps(self.commission_bps)))

    def buy_outlay(self, shares: Decimal, fill_price: Decimal) -> Decimal:
        """Cash a buy of ``shares`` at ``fill_price`` takes: gross plus commission."""
        gross = money(shares * fill_price)
        return gross + self.commission(gross)

    def max_quantity(self, budget: Decimal, fill_price: Decimal) -> Decimal:
        """The most shares (on the quantity quantum) whose gross plus commission fits ``budget``.

        The outlay grows monotonically with the quantity, so a binary search over whole quanta
        finds the exact maximum despite the cent rounding of gross and commission.
        """
        if budget <= 0 or fill_price <= 0:
            return ZERO
        # gross alone rounds to at most half a cent below q * price, so this bounds the answer
        upper = int((budget + CENT) / fill_price / QUANTITY_QUANTUM) + 1
        lower = 0  # invariant: lower quanta fit (0 shares cost nothing), upper quanta do not
        while upper - lower > 1:
            middle = (lower + upper) // 2
            if self.buy_outlay(middle * QUANTITY_QUANTUM, fill_price) <= budget:
                lower = middle
            else:
                upper = middle
        return lower * QUANTITY_QUANTUM
