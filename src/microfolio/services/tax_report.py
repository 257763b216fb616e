"""The tax report of one household from its store: per account and per year, realised gains by
term, losses harvested and losses disallowed by wash sales; for the household, each year's
Schedule D outcome (net loss deducted, loss carried forward by character, the tax or saving at
the given flat rates).

Harvested losses are the tax losses realised by sales whose ticket's first reason was a harvest,
in taxable accounts (:func:`harvested_losses`, which the demo's tax view uses too). IRAs are
listed with their gains, which are not taxable. Loss carryforwards are a household (joint
return) figure, so they appear only at the household level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from microfolio.domain import ZERO, Account, Disposal, ReasonKind
from microfolio.errors import NotFoundError
from microfolio.store import Store, UnitOfWork
from microfolio.tax import (
    TaxRates,
    YearTax,
    annual_taxes,
    disallowed_losses,
    realised_gains,
)
from microfolio.tax.gains import AccountGains, HouseholdGains

__all__ = ["AccountTaxYear", "TaxReport", "harvest_fill_ids", "harvested_losses", "tax_report"]


def harvest_fill_ids(uow: UnitOfWork, accounts: Iterable[Account]) -> set[str]:
    """The fills of orders whose ticket's first reason is a harvest."""
    fills: set[str] = set()
    for account in accounts:
        tickets = {t.ticket_id: t for t in uow.tickets(account.account_id)}
        harvest_orders = {
            o.order_id
            for o in uow.orders(account.account_id)
            if o.ticket_id in tickets and tickets[o.ticket_id].reasons[0].kind is ReasonKind.HARVEST
        }
        fills.update(
            f.fill_id for f in uow.fills(account.account_id) if f.order_id in harvest_orders
        )
    return fills


def harvested_losses(
    disposals: Iterable[Disposal], accounts: Mapping[str, Account], harvest_fills: set[str]
) -> dict[tuple[str, int], Decimal]:
    """Losses harvested (positive amounts) by (account id, year), taxable accounts only."""
    out: dict[tuple[str, int], Decimal] = {}
    for d in disposals:
        taxable = accounts[d.account_id].account_type.is_taxable
        if d.fill_id in harvest_fills and taxable and d.tax_gain < 0:
            key = (d.account_id, d.sold.year)
            out[key] = out.get(key, ZERO) - d.tax_gain
    return out


@dataclass(frozen=True, slots=True)
class AccountTaxYear:
    """One account's year: realised gains by term, harvested and disallowed losses."""

    account_id: str
    account_type: str
    taxable: bool
    year: int
    short_term: Decimal
    long_term: Decimal
    harvested: Decimal
    disallowed: Decimal

    @property
    def net(self) -> Decimal:
        return self.short_term + self.long_term

    def to_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "account_type": self.account_type,
            "taxable": self.taxable,
            "year": self.year,
            "short_term": f"{self.short_term:.2f}",
            "long_term": f"{self.long_term:.2f}",
            "net": f"{self.net:.2f}",
            "harvested": f"{self.harvested:.2f}",
            "disallowed": f"{self.disallowed:.2f}",
        }


@dataclass(frozen=True, slots=True)
class TaxReport:
    household_id: str
    rates: TaxRates
    accounts: tuple[AccountTaxYear, ...]
    gains: HouseholdGains
    taxes: tuple[YearTax, ...]
    wash_sales: int

    @property
    def harvested(self) -> Decimal:
        return sum((line.harvested for line in self.accounts), ZERO)

    @property
    def disallowed(self) -> Decimal:
        return sum((line.disallowed for line in self.accounts), ZERO)

    def to_dict(self) -> dict[str, object]:
        return {
            "household_id": self.household_id,
            "rates": {
                "ordinary": str(self.rates.ordinary),
                "long_term": str(self.rates.long_term),
                "loss_deduction_limit": str(self.rates.loss_deduction_limit),
            },
            "accounts": [line.to_dict() for line in self.accounts],
            "household": self.gains.to_dict(),
            "taxes": [t.to_dict() for t in self.taxes],
            "harvested": f"{self.harvested:.2f}",
            "disallowed": f"{self.disallowed:.2f}",
            "wash_sales": self.wash_sales,
        }


def _account_years(
    gains: AccountGains, account: Account, harvested: Mapping[tuple[str, int], Decimal]
) -> list[AccountTaxYear]:
    years = {line.year for line in gains.years} | {
        year for (account_id, year) in harvested if account_id == account.account_id
    }
    out = []
    for year in sorted(years):
        line = gains.year(year)
        out.append(
            AccountTaxYear(
                account_id=account.account_id,
                account_type=account.account_type.value,
                taxable=account.account_type.is_taxable,
                year=year,
                short_term=line.short_term.net,
                long_term=line.long_term.net,
                harvested=harvested.get((account.account_id, year), ZERO),
                disallowed=line.disallowed,
            )
        )
    return out


def tax_report(
    store: Store, household_id: str, rates: TaxRates, through_year: int | None = None
) -> TaxReport:
    """The tax report of ``household_id`` (taxes carried through ``through_year`` when given,
    else the last year with a sale)."""
    with store.unit_of_work() as uow:
        accounts = uow.accounts(household_id)
        if not accounts:
            raise NotFoundError(f"household {household_id!r} has no accounts in this store")
        disposals = uow.disposals_of_household(household_id)
        washes = uow.wash_sales(household_id)
        fills = harvest_fill_ids(uow, accounts)
    by_id = {a.account_id: a for a in accounts}
    report = realised_gains(disposals, accounts, disallowed_losses(washes))
    harvested = harvested_losses(disposals, by_id, fills)
    lines = [
        line
        for account in accounts
        for line in _account_years(report.account(account.account_id), account, harvested)
    ]
    household = report.household(household_id)
    taxes = (
        annual_taxes(household.taxable, rates, through_year=through_year)
        if household.taxable
        else ()
    )
    return TaxReport(household_id, rates, tuple(lines), household, taxes, len(washes))
