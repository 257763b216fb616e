"""Yearly federal tax on a household's realised capital gains: Schedule D netting and carryovers.

For each calendar year, in order (IRS Publication 550, "Capital Gains and Losses"; Schedule D
(Form 1040) instructions and its Capital Loss Carryover Worksheet):

1. Net short-term = this year's short-term gains and losses less the short-term loss carried
   over (Schedule D line 7); net long-term likewise with the long-term carryover (line 15).
2. If one is a gain and the other a loss, they offset (line 16).
3. A net gain is taxed: what remains short-term at the ordinary rate, what remains long-term at
   the long-term rate.
4. A net loss is deductible against ordinary income up to the limit, $3,000 a year ($1,500
   married filing separately; IRC 1211(b)), a tax saving at the ordinary rate.
5. The rest carries to the next year keeping its character (IRC 1212(b)): the short-term loss
   is used first, against any net long-term gain and then against the deduction; the long-term
   loss against any net short-term gain and what is left of the deduction.

Simplifications, all on purpose: one ordinary rate and one long-term rate for every year (no
brackets, no 0 % band, no 28 % collectibles or unrecaptured section 1250 gain, no 3.8 % net
investment income tax, no state tax unless folded into the rates); the household's other income
is taken to be large enough for the full deduction (the worksheet's taxable-income limit never
binds); no loss carried in from before the first year given. Amounts are the taxable accounts'
gains (:attr:`~microfolio.tax.gains.HouseholdGains.taxable`); the tax is rounded to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError
from microfolio.tax.gains import YearGains

__all__ = [
    "LOSS_DEDUCTION_LIMIT",
    "LOSS_DEDUCTION_LIMIT_SEPARATE",
    "TaxRates",
    "YearTax",
    "annual_taxes",
]

#: capital loss deductible against ordinary income each year (IRC 1211(b))
LOSS_DEDUCTION_LIMIT = Decimal(3000)
#: the same for a married person filing separately
LOSS_DEDUCTION_LIMIT_SEPARATE = Decimal(1500)


def _cents(amount: Decimal) -> str:
    return str(money(amount))


@dataclass(frozen=True, slots=True)
class TaxRates:
    """Marginal federal rates: ``ordinary`` for short-term gains and deducted losses,
    ``long_term`` for long-term gains (each 0..1), and the yearly loss deduction limit."""

    ordinary: Decimal
    long_term: Decimal
    loss_deduction_limit: Decimal = LOSS_DEDUCTION_LIMIT

    def __post_init__(self) -> None:
        for name, rate in (("ordinary", self.ordinary), ("long_term", self.long_term)):
            if not ZERO <= rate <= 1:
                raise InvariantError(f"tax rates: {name} must be in 0..1, got {rate}")
        if self.loss_deduction_limit < 0:
            raise InvariantError(
                f"tax rates: loss_deduction_limit must be >= 0, got {self.loss_deduction_limit}"
            )


@dataclass(frozen=True, slots=True)
class YearTax:
    """One year's Schedule D outcome.

    ``net_short`` / ``net_long``: each term's net including the carryover in (signed);
    ``taxable_short`` / ``taxable_long``: the net gain taxed at each rate after the terms offset
    (>= 0); ``loss_deducted``: the net loss deducted against ordinary income (>= 0);
    ``carryforward_short`` / ``carryforward_long``: the loss carried to next year (positive
    amounts); ``tax``: the tax on the gains, or the saving from the deduction as a negative
    amount.
    """

    year: int
    net_short: Decimal
    net_long: Decimal
    taxable_short: Decimal
    taxable_long: Decimal
    loss_deducted: Decimal
    carryforward_short: Decimal
    carryforward_long: Decimal
    tax: Decimal

    def __post_init__(self) -> None:
        for name in (
            "taxable_short",
            "taxable_long",
            "loss_deducted",
            "carryforward_short",
            "carryforward_long",
        ):
            value = getattr(self, name)
            if value < 0:
                raise InvariantError(f"year tax {self.year}: {name} must be >= 0, got {value}")
        if self.loss_deducted > 0 and self.taxable_short + self.taxable_long > 0:
            raise InvariantError(
                f"year tax {self.year}: a year deducts a net loss or taxes a net gain, not both"
            )

    @property
    def carryforward(self) -> Decimal:
        """The whole loss carried to next year (positive)."""
        return self.carryforward_short + self.carryforward_long

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "net_short": _cents(self.net_short),
            "net_long": _cents(self.net_long),
            "taxable_short": _cents(self.taxable_short),
            "taxable_long": _cents(self.taxable_long),
            "loss_deducted": _cents(self.loss_deducted),
            "carryforward_short": _cents(self.carryforward_short),
            "carryforward_long": _cents(self.carryforward_long),
            "tax": _cents(self.tax),
        }


def _year_tax(
    line: YearGains, carry_short: Decimal, carry_long: Decimal, rates: TaxRates
) -> YearTax:
    net_short = line.short_term.net - carry_short
    net_long = line.long_term.net - carry_long
    total = net_short + net_long
    if total >= 0:
        # the terms offset; what is left keeps the character of the side that was a gain
        taxable_short = min(net_short, total) if net_short > 0 else ZERO
        taxable_long = total - taxable_short
        return YearTax(
            year=line.year,
            net_short=net_short,
            net_long=net_long,
            taxable_short=taxable_short,
            taxable_long=taxable_long,
            loss_deducted=ZERO,
            carryforward_short=ZERO,
            carryforward_long=ZERO,
            tax=money(taxable_short * rates.ordinary + taxable_long * rates.long_term),
        )
    deducted = min(-total, rates.loss_deduction_limit)
    # Capital Loss Carryover Worksheet (Publication 550 / Schedule D instructions)
    short_loss = max(-net_short, ZERO)
    long_loss = max(-net_long, ZERO)
    short_gain = max(net_short, ZERO)
    long_gain = max(net_long, ZERO)
    carry_short_out = max(short_loss - (long_gain + deducted), ZERO)
    carry_long_out = max(long_loss - (short_gain + max(deducted - short_loss, ZERO)), ZERO)
    return YearTax(
        year=line.year,
        net_short=net_short,
        net_long=net_long,
        taxable_short=ZERO,
        taxable_long=ZERO,
        loss_deducted=deducted,
        carryforward_short=carry_short_out,
        carryforward_long=carry_long_out,
        tax=ZERO - money(deducted * rates.ordinary),  # never a negative zero
    )


def annual_taxes(
    years: Sequence[YearGains], rates: TaxRates, through_year: int | None = None
) -> tuple[YearTax, ...]:
    """The tax of every calendar year from the first in ``years`` to the last, or to
    ``through_year`` when given (to keep deducting and carrying losses after the last sale).

    Years between with no sales are included: a carried loss is still deducted in them. The
    years may come in any order; a year given twice, or a ``through_year`` before the last year
    given, is refused with InvariantError. No years give no taxes.
    """
    by_year: dict[int, YearGains] = {}
    for line in years:
        if line.year in by_year:
            raise InvariantError(f"years: year {line.year} is given twice")
        by_year[line.year] = line
    if not by_year:
        return ()
    first, last = min(by_year), max(by_year)
    if through_year is not None:
        if through_year < last:
            raise InvariantError(
                f"through_year: {through_year} is before the last year given ({last})"
            )
        last = through_year
    taxes: list[YearTax] = []
    carry_short = carry_long = ZERO
    for year in range(first, last + 1):
        outcome = _year_tax(by_year.get(year, YearGains(year)), carry_short, carry_long, rates)
        carry_short, carry_long = outcome.carryforward_short, outcome.carryforward_long
        taxes.append(outcome)
    return tuple(taxes)
