"""The tax view of a household's history: harvested losses, realised gains, disallowed losses,
taxes with and without harvesting, and the estimated tax alpha.

Harvested losses are the tax losses realised by sales whose ticket was a harvest (reason kind
``harvest``), in taxable accounts. The harvesting yield of a year is those losses over the
household's taxable value at the start of the year. Taxes are computed per calendar year from
the household's taxable realised gains (Schedule D netting, $3,000 of net loss against ordinary
income, the rest carried forward: :mod:`microfolio.tax.liability`), once for the run with
harvesting and once for the same household run with harvesting off; the difference is the
tax alpha (:mod:`microfolio.tax.alpha` says how it is annualised and how it differs from the
figures robo-advisors publish).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import pandas as pd

from microfolio.domain import ZERO
from microfolio.ledger import Book, valuation
from microfolio.services.tax_report import harvest_fill_ids, harvested_losses
from microfolio.store import Store
from microfolio.tax import (
    TaxAlpha,
    TaxRates,
    YearTax,
    annual_taxes,
    disallowed_losses,
    harvesting_yield,
    realised_gains,
    tax_alpha,
)
from microfolio.tax.gains import HouseholdGains

__all__ = ["TaxView", "tax_view"]


@dataclass(frozen=True, slots=True)
class _History:
    gains: HouseholdGains
    taxes: tuple[YearTax, ...]
    harvested: dict[int, Decimal]
    disallowed: Decimal
    wash_sales: int
    unrealised: Decimal


@dataclass(frozen=True, slots=True)
class TaxView:
    household_id: str
    start_values: Mapping[int, float]
    harvested: Mapping[int, Decimal]
    harvest_yield: Mapping[int, float]
    gains: HouseholdGains
    taxes: tuple[YearTax, ...]
    taxes_without: tuple[YearTax, ...]
    disallowed: Decimal
    wash_sales: int
    alpha: TaxAlpha

    def to_dict(self) -> dict[str, object]:
        return {
            "household_id": self.household_id,
            "harvested_losses": {str(y): str(v) for y, v in self.harvested.items()},
            "harvesting_yield": {str(y): round(v, 6) for y, v in self.harvest_yield.items()},
            "start_values": {str(y): round(v, 2) for y, v in self.start_values.items()},
            "realised_gains": self.gains.to_dict(),
            "taxes_with_harvesting": [t.to_dict() for t in self.taxes],
            "taxes_without_harvesting": [t.to_dict() for t in self.taxes_without],
            "disallowed_losses": str(self.disallowed),
            "wash_sales": self.wash_sales,
            "tax_alpha": self.alpha.to_dict(),
        }

    def html(self) -> str:
        rows = []
        taxes = {t.year: t for t in self.taxes}
        without = {t.year: t for t in self.taxes_without}
        for year in sorted(self.start_values):
            line = self.gains.taxable_year(year)
            rows.append(
                "<tr>"
                f"<td>{year}</td><td>${self.start_values[year]:,.0f}</td>"
                f"<td>${self.harvested.get(year, ZERO):,.2f}</td>"
                f"<td>{self.harvest_yield.get(year, 0.0):.2%}</td>"
                f"<td>${line.short_term.net:,.2f}</td><td>${line.long_term.net:,.2f}</td>"
                f"<td>${taxes[year].tax if year in taxes else ZERO:,.2f}</td>"
                f"<td>${without[year].tax if year in without else ZERO:,.2f}</td>"
                "</tr>"
            )
        a = self.alpha
        return (
            "<table><thead><tr><th>year</th><th>taxable value at start</th>"
            "<th>losses harvested</th><th>harvesting yield</th><th>realised short-term</th>"
            "<th>realised long-term</th><th>tax (harvesting)</th><th>tax (no harvesting)</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<p>Disallowed losses (wash sales): ${self.disallowed:,.2f} in "
            f"{self.wash_sales} wash sale(s). Estimated tax alpha: "
            f"{a.mean_alpha:.2%} a year (mean of the yearly tax saved over the taxable value at "
            f"the start of the year; {a.pooled_alpha:.2%} pooled), "
            f"{a.liquidation_alpha:.2%} a year if everything were sold at the end "
            f"(the lower basis harvesting leaves is then taxed at the long-term rate).</p>"
            f"<p>{escape(_BASIS)}</p>"
        )


_BASIS = (
    "The comparison is the same household, deposits and model with harvesting turned off; no "
    "dividends, no state tax, flat federal rates."
)


def _history(store: Store, household_id: str, prices: Mapping[str, float]) -> _History:
    with store.unit_of_work() as uow:
        accounts = uow.accounts(household_id)
        disposals = uow.disposals_of_household(household_id)
        washes = uow.wash_sales(household_id)
        harvest_fills = harvest_fill_ids(uow, accounts)
        unrealised = ZERO
        for account in accounts:
            if account.account_type.is_taxable:
                book = Book(
                    account.account_id, uow.cash(account.account_id), uow.lots(account.account_id)
                )
                basis = sum((lot.tax_cost for lot in book.lots), ZERO)
                unrealised += valuation(book, prices).market_value - basis
    by_id = {a.account_id: a for a in accounts}
    disallowed = disallowed_losses(washes)
    report = realised_gains(disposals, accounts, disallowed)
    harvested: dict[int, Decimal] = {}
    for (_, year), loss in harvested_losses(disposals, by_id, harvest_fills).items():
        harvested[year] = harvested.get(year, ZERO) + loss
    household = report.household(household_id)
    return _History(
        household,
        (),
        dict(sorted(harvested.items())),
        sum(disallowed.values(), ZERO),
        len(washes),
        unrealised,
    )


def tax_view(
    store: Store,
    baseline: Store,
    household_id: str,
    taxable_values: Mapping[str, pd.Series],
    prices: Mapping[str, float],
    rates: TaxRates,
) -> TaxView:
    """The tax view of ``household_id`` in ``store``, against the same household in
    ``baseline`` (run without harvesting); ``taxable_values`` are the daily values of the
    taxable accounts (with harvesting), ``prices`` the last closes."""
    main = _history(store, household_id, prices)
    other = _history(baseline, household_id, prices)
    values = pd.concat(list(taxable_values.values()), axis=1).sum(axis=1)
    index = pd.DatetimeIndex(values.index)
    start_values: dict[int, float] = {}
    for when, value in zip(index, values.to_numpy(dtype=float), strict=True):
        start_values.setdefault(int(when.year), float(value))
    years = sorted(start_values)
    taxes = _taxes(main.gains, rates, years[-1])
    taxes_without = _taxes(other.gains, rates, years[-1])
    alpha = tax_alpha(
        taxes,
        taxes_without,
        start_values,
        unrealised_with=main.unrealised,
        unrealised_without=other.unrealised,
        long_term_rate=rates.long_term,
    )
    return TaxView(
        household_id=household_id,
        start_values=start_values,
        harvested=main.harvested,
        harvest_yield=harvesting_yield(main.harvested, start_values),
        gains=main.gains,
        taxes=taxes,
        taxes_without=taxes_without,
        disallowed=main.disallowed,
        wash_sales=main.wash_sales,
        alpha=alpha,
    )


def _taxes(gains: HouseholdGains, rates: TaxRates, through: int) -> tuple[YearTax, ...]:
    return annual_taxes(gains.taxable, rates, through_year=through) if gains.taxable else ()
