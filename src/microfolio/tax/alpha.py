"""Estimated tax alpha of loss harvesting: what harvesting saved in tax, per dollar invested.

Two runs of the same household with the same deposits are compared: one with harvesting and one
without (the same portfolio with harvesting turned off). Each run's yearly taxes come from
:func:`~microfolio.tax.liability.annual_taxes`. With ``V_y`` the household's taxable portfolio
value at the start of year ``y`` (from the run with harvesting), over the years ``y`` given:

- ``saving_y = tax_without_y - tax_with_y`` (positive: harvesting paid less that year);
- ``alpha_y = saving_y / V_y``, the yearly tax alpha;
- ``mean_alpha``: the plain mean of ``alpha_y`` over the years;
- ``pooled_alpha = sum(saving_y) / sum(V_y)``: saving per dollar-year invested, which weights
  the years by their value;
- ``liquidation_alpha = (sum(saving_y) - deferred_tax) / sum(V_y)``, the conservative figure.
  Harvesting lowers basis, so at the end the run with harvesting holds more unrealised gain.
  Each run is charged the tax of selling everything at the end at the long-term rate ``r``, net
  of the loss it still carries forward: ``L = r * max(U - C, 0)`` with ``U`` the unrealised gain
  and ``C`` the carryforward at the end; ``deferred_tax = L_with - L_without``. Carrying the
  unused loss over matters: a run that harvested more than it could deduct has not yet received
  the saving, and should not be charged for the gain without the loss that goes with it.

All three are simple ratios, not rates of return: the saved tax is not reinvested, nothing is
compounded or discounted (no IRR), and the deferred tax at the end is charged in full, with no
credit for the years it was deferred. If the saving were the same every year on a portfolio of
constant value, ``pooled_alpha`` would be that yearly saving over the value. The harvesting
yield (:func:`harvesting_yield`) is the loss harvested in a year over the value at its start.

How this compares with Betterment's "+0.77 % a year". Betterment's Tax Loss Harvesting+ white
paper (2014) says that over the previous 13 years TLH+ would have added an estimated 0.77 % a
year to a typical customer's after-tax returns; its launch note names the customer (a single
California resident earning $100,000 a year) and says other scenarios gave up to 1.4 %. That
figure is a backtest: a simulated portfolio, with the savings from harvested losses used against
that investor's income and gains at assumed rates and, as we understand it, reinvested, reported
as extra annual return. We have not been able to check from the material available to us the
exact formula behind it (a difference of annualised after-tax returns or a ratio like ours),
whether it assumes the portfolio is sold at the end (we believe the headline assumes no
liquidation, but have not verified it), or what outside gains it assumes. So the two numbers are
different measures and should not be compared as if alike:

- ours is accounting on one realised history, run through the same engine twice, with the
  $3,000 limit and the carryovers applied; Betterment's is a simulated estimate;
- ours does not reinvest the saving, so over long horizons it is lower than a reinvested
  estimate of the same savings would be;
- ours counts only the household's own realised gains here plus ordinary income for the
  deduction; an investor with large outside gains would use harvested losses sooner and save
  more than ours shows;
- ``mean_alpha`` and ``pooled_alpha`` assume no liquidation; ``liquidation_alpha`` shows how
  much of the saving is deferral rather than a permanent gain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError
from microfolio.tax.liability import YearTax

__all__ = ["Amount", "TaxAlpha", "YearAlpha", "harvesting_yield", "tax_alpha"]

#: money given from analytics (floats) or from the books (Decimals)
Amount = Decimal | float | int


def _decimal(value: Amount, name: str) -> Decimal:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise InvariantError(f"{name}: must be a finite number, got {value}")
    return number


def _cents(amount: Decimal) -> str:
    return str(money(amount))


@dataclass(frozen=True, slots=True)
class YearAlpha:
    """One year's tax with and without harvesting, and the taxable value at its start."""

    year: int
    tax_with: Decimal
    tax_without: Decimal
    start_value: Decimal

    def __post_init__(self) -> None:
        if self.start_value <= 0:
            raise InvariantError(
                f"year alpha {self.year}: start_value must be > 0, got {self.start_value}"
            )

    @property
    def saving(self) -> Decimal:
        """Tax saved by harvesting (negative: harvesting paid more)."""
        return self.tax_without - self.tax_with

    @property
    def alpha(self) -> float:
        """The saving over the value at the start of the year."""
        return float(self.saving / self.start_value)

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "tax_with": _cents(self.tax_with),
            "tax_without": _cents(self.tax_without),
            "saving": _cents(self.saving),
            "start_value": _cents(self.start_value),
            "alpha": self.alpha,
        }


@dataclass(frozen=True, slots=True)
class TaxAlpha:
    """The estimated tax alpha of harvesting (definitions in the module docstring).

    ``unrealised_*`` are each run's unrealised gains at the end, ``carryforward_*`` the loss
    each still carries forward at the end (>= 0), ``long_term_rate`` the rate a sale at the end
    would pay.
    """

    years: tuple[YearAlpha, ...]
    unrealised_with: Decimal
    unrealised_without: Decimal
    carryforward_with: Decimal
    carryforward_without: Decimal
    long_term_rate: Decimal

    def __post_init__(self) -> None:
        if not self.years:
            raise InvariantError("tax alpha: needs at least one year")
        numbers = [line.year for line in self.years]
        if numbers != sorted(set(numbers)):
            raise InvariantError(f"tax alpha: years must be increasing, got {numbers}")
        if not ZERO <= self.long_term_rate <= 1:
            raise InvariantError(
                f"tax alpha: long_term_rate must be in 0..1, got {self.long_term_rate}"
            )
        if self.carryforward_with < 0 or self.carryforward_without < 0:
            raise InvariantError(
                f"tax alpha: carryforwards must be >= 0, got {self.carryforward_with} and "
                f"{self.carryforward_without}"
            )

    @property
    def total_saving(self) -> Decimal:
        return sum((line.saving for line in self.years), ZERO)

    @property
    def total_start_value(self) -> Decimal:
        """The sum of the start values: dollar-years invested."""
        return sum((line.start_value for line in self.years), ZERO)

    @property
    def mean_alpha(self) -> float:
        return sum(line.alpha for line in self.years) / len(self.years)

    @property
    def pooled_alpha(self) -> float:
        return float(self.total_saving / self.total_start_value)

    @property
    def extra_deferred_gain(self) -> Decimal:
        """How much more unrealised gain the run with harvesting holds at the end."""
        return self.unrealised_with - self.unrealised_without

    @property
    def liquidation_tax_with(self) -> Decimal:
        return self._liquidation_tax(self.unrealised_with, self.carryforward_with)

    @property
    def liquidation_tax_without(self) -> Decimal:
        return self._liquidation_tax(self.unrealised_without, self.carryforward_without)

    @property
    def deferred_tax(self) -> Decimal:
        """The extra tax the run with harvesting would pay if both were sold at the end."""
        return self.liquidation_tax_with - self.liquidation_tax_without

    @property
    def liquidation_alpha(self) -> float:
        return float((self.total_saving - self.deferred_tax) / self.total_start_value)

    def _liquidation_tax(self, unrealised: Decimal, carryforward: Decimal) -> Decimal:
        return money(max(unrealised - carryforward, ZERO) * self.long_term_rate)

    def to_dict(self) -> dict[str, object]:
        return {
            "years": [line.to_dict() for line in self.years],
            "total_saving": _cents(self.total_saving),
            "mean_alpha": self.mean_alpha,
            "pooled_alpha": self.pooled_alpha,
            "extra_deferred_gain": _cents(self.extra_deferred_gain),
            "deferred_tax": _cents(self.deferred_tax),
            "liquidation_alpha": self.liquidation_alpha,
            "long_term_rate": str(self.long_term_rate),
        }


def _run(
    name: str, taxes: Sequence[YearTax], horizon: Sequence[int]
) -> tuple[dict[int, Decimal], Decimal]:
    """A run's tax in each year of ``horizon`` (zero in a year it has none) and the loss it
    carries forward at the end; a year outside the horizon, a year given twice, or a missing
    year while a loss is still being carried is refused."""
    by_year: dict[int, YearTax] = {}
    for line in taxes:
        if line.year in by_year:
            raise InvariantError(f"{name}: year {line.year} is given twice")
        if line.year not in horizon:
            raise InvariantError(f"{name}: year {line.year} has no start value")
        by_year[line.year] = line
    tax: dict[int, Decimal] = {}
    last: YearTax | None = None
    for year in horizon:
        found = by_year.get(year)
        if found is None:
            if last is not None and last.carryforward > 0:
                raise InvariantError(
                    f"{name}: carries {last.carryforward} of loss past {last.year} but has no "
                    f"year {year}: extend annual_taxes with through_year"
                )
            tax[year] = ZERO
        else:
            tax[year] = found.tax
            last = found
    return tax, (last.carryforward if last is not None else ZERO)


def tax_alpha(
    with_harvest: Sequence[YearTax],
    without_harvest: Sequence[YearTax],
    start_values: Mapping[int, Amount],
    *,
    unrealised_with: Amount,
    unrealised_without: Amount,
    long_term_rate: Amount,
) -> TaxAlpha:
    """The tax alpha over the years of ``start_values`` (the taxable value at the start of each
    year, from the run with harvesting). Each run's taxes must lie within those years; a year
    a run has no tax for counts as zero tax, unless that run is still carrying a loss then.
    """
    if not start_values:
        raise InvariantError("start_values: needs at least one year")
    horizon = sorted(start_values)
    taxes_with, carry_with = _run("with_harvest", with_harvest, horizon)
    taxes_without, carry_without = _run("without_harvest", without_harvest, horizon)
    return TaxAlpha(
        years=tuple(
            YearAlpha(
                year=year,
                tax_with=taxes_with[year],
                tax_without=taxes_without[year],
                start_value=_decimal(start_values[year], f"start_values[{year}]"),
            )
            for year in horizon
        ),
        unrealised_with=_decimal(unrealised_with, "unrealised_with"),
        unrealised_without=_decimal(unrealised_without, "unrealised_without"),
        carryforward_with=carry_with,
        carryforward_without=carry_without,
        long_term_rate=_decimal(long_term_rate, "long_term_rate"),
    )


def harvesting_yield(
    harvested_losses_by_year: Mapping[int, Amount], start_values: Mapping[int, Amount]
) -> dict[int, float]:
    """Losses harvested in each year (positive amounts) over the taxable value at its start, for
    every year of ``start_values`` in order (zero in a year with no harvest). A harvest year
    without a start value, a negative loss or a start value that is not positive is refused."""
    for year in harvested_losses_by_year:
        if year not in start_values:
            raise InvariantError(f"harvested_losses_by_year: year {year} has no start value")
    yields: dict[int, float] = {}
    for year in sorted(start_values):
        value = _decimal(start_values[year], f"start_values[{year}]")
        if value <= 0:
            raise InvariantError(f"start_values[{year}]: must be > 0, got {value}")
        loss = _decimal(harvested_losses_by_year.get(year, 0), f"harvested_losses_by_year[{year}]")
        if loss < 0:
            raise InvariantError(
                f"harvested_losses_by_year[{year}]: losses are positive amounts, got {loss}"
            )
        yields[year] = float(loss / value)
    return yields
