"""Exact decimal column types.

Money, quantities and prices are :class:`~decimal.Decimal` in the domain and must come back from
the database exactly as they went in. PostgreSQL has an exact ``NUMERIC(p, s)``; SQLite does not
(its NUMERIC affinity stores binary floats), so there the value is kept as a 64-bit integer
scaled by ``10**scale`` (cents for money, millionths of a share for quantities), which also keeps
``SUM`` exact. Values with more decimal places than the column holds are refused, never rounded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from microfolio.errors import StoreError

__all__ = [
    "MONEY_PRECISION",
    "MONEY_SCALE",
    "PRICE_PRECISION",
    "PRICE_SCALE",
    "QUANTITY_PRECISION",
    "QUANTITY_SCALE",
    "ExactDecimal",
    "Money",
    "Price",
    "Quantity",
    "check_exact",
]

MONEY_PRECISION, MONEY_SCALE = 20, 2
QUANTITY_PRECISION, QUANTITY_SCALE = 24, 6
PRICE_PRECISION, PRICE_SCALE = 20, 4

_INT64_MAX = 2**63 - 1


def check_exact(value: Decimal, precision: int, scale: int, what: str) -> int:
    """Return ``value`` scaled to an integer of ``10**-scale`` units; refuse what would not fit.

    The limit is the tighter of ``NUMERIC(precision, scale)`` and a signed 64-bit integer, so the
    two backends accept exactly the same values.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise StoreError(f"{what} must be a finite Decimal, got {value!r}")
    if value and value.adjusted() >= precision - scale:
        raise StoreError(f"{what} {value} is too large to store")
    # exact integer arithmetic: Decimal.scaleb would round to the context's 28 digits
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    if coefficient == 0:
        return 0
    if -shift > len(digits):  # every digit lies beyond the scale
        raise StoreError(f"{what} {value} has more than {scale} decimal places")
    factor = int(10 ** abs(shift))
    if shift >= 0:
        units = coefficient * factor
    else:
        units, remainder = divmod(coefficient, factor)
        if remainder:
            raise StoreError(f"{what} {value} has more than {scale} decimal places")
    units = -units if sign else units
    if abs(units) >= 10**precision or abs(units) > _INT64_MAX:
        raise StoreError(f"{what} {value} is too large to store")
    return units


class ExactDecimal(TypeDecorator[Decimal]):
    """``NUMERIC(precision, scale)`` on PostgreSQL; a scaled ``BIGINT`` on SQLite."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        units = check_exact(value, self.precision, self.scale, "value")
        if dialect.name == "sqlite":
            return units
        return value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return value if isinstance(value, Decimal) else Decimal(str(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def Money() -> ExactDecimal:  # noqa: N802 - reads as a type in column declarations
    """Dollars to the cent: ``NUMERIC(20, 2)``."""
    return ExactDecimal(MONEY_PRECISION, MONEY_SCALE)


def Quantity() -> ExactDecimal:  # noqa: N802
    """Shares to a millionth: ``NUMERIC(24, 6)``."""
    return ExactDecimal(QUANTITY_PRECISION, QUANTITY_SCALE)


def Price() -> ExactDecimal:  # noqa: N802
    """Prices to a hundredth of a cent: ``NUMERIC(20, 4)``."""
    return ExactDecimal(PRICE_PRECISION, PRICE_SCALE)
