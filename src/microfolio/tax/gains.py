"""Realised-gains report: short- and long-term gains and losses per account and household, by year.

Built from the ledger's :class:`~microfolio.domain.Disposal` records and the accounts they belong
to. A disposal's year is the calendar year of its sale; its term is ``Disposal.long_term``. IRAs
(traditional and Roth) are reported separately from taxable accounts, as not taxable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from microfolio.domain.account import Account, AccountType
from microfolio.domain.disposal import Disposal
from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError, NotFoundError

__all__ = [
    "AccountGains",
    "GainsReport",
    "HouseholdGains",
    "TermGains",
    "YearGains",
    "realised_gains",
]


def _cents(amount: Decimal) -> str:
    return str(money(amount))


@dataclass(frozen=True, slots=True)
class TermGains:
    """Gains (sum of positive disposal gains, >= 0) and losses (sum of negative ones, <= 0)."""

    gains: Decimal = ZERO
    losses: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.gains < 0:
            raise InvariantError(f"term gains: gains must be >= 0, got {self.gains}")
        if self.losses > 0:
            raise InvariantError(f"term gains: losses must be <= 0, got {self.losses}")

    @property
    def net(self) -> Decimal:
        return self.gains + self.losses

    def add(self, gain: Decimal) -> TermGains:
        if gain >= 0:
            return TermGains(self.gains + gain, self.losses)
        return TermGains(self.gains, self.losses + gain)

    def plus(self, other: TermGains) -> TermGains:
        return TermGains(self.gains + other.gains, self.losses + other.losses)

    def to_dict(self) -> dict[str, str]:
        return {
            "gains": _cents(self.gains),
            "losses": _cents(self.losses),
            "net": _cents(self.net),
        }


@dataclass(frozen=True, slots=True)
class YearGains:
    """Realised gains of one calendar year, split by term."""

    year: int
    short_term: TermGains = TermGains()
    long_term: TermGains = TermGains()

    @property
    def net(self) -> Decimal:
        return self.short_term.net + self.long_term.net

    def add(self, disposal: Disposal) -> YearGains:
        if disposal.long_term:
            return YearGains(self.year, self.short_term, self.long_term.add(disposal.tax_gain))
        return YearGains(self.year, self.short_term.add(disposal.tax_gain), self.long_term)

    def plus(self, other: YearGains) -> YearGains:
        return YearGains(
            self.year,
            self.short_term.plus(other.short_term),
            self.long_term.plus(other.long_term),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "short_term": self.short_term.to_dict(),
            "long_term": self.long_term.to_dict(),
            "net": _cents(self.net),
        }


def _by_year(years: Iterable[YearGains]) -> tuple[YearGains, ...]:
    merged: dict[int, YearGains] = {}
    for line in years:
        merged[line.year] = merged[line.year].plus(line) if line.year in merged else line
    return tuple(merged[year] for year in sorted(merged))


def _years_to_dict(years: tuple[YearGains, ...]) -> list[dict[str, object]]:
    return [line.to_dict() for line in years]


@dataclass(frozen=True, slots=True)
class AccountGains:
    """One account's realised gains by year (sorted), and whether they are taxable."""

    account_id: str
    household_id: str
    account_type: AccountType
    years: tuple[YearGains, ...] = ()

    @property
    def taxable(self) -> bool:
        return self.account_type.is_taxable

    @property
    def net(self) -> Decimal:
        return sum((line.net for line in self.years), ZERO)

    def year(self, year: int) -> YearGains:
        """The given year's gains (zeros if nothing was sold that year)."""
        return next((line for line in self.years if line.year == year), YearGains(year))

    def to_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "household_id": self.household_id,
            "account_type": self.account_type.value,
            "taxable": self.taxable,
            "years": _years_to_dict(self.years),
            "net": _cents(self.net),
        }


@dataclass(frozen=True, slots=True)
class HouseholdGains:
    """A household's realised gains by year: taxable accounts and IRAs (not taxable) apart."""

    household_id: str
    taxable: tuple[YearGains, ...] = ()
    not_taxable: tuple[YearGains, ...] = ()

    @property
    def taxable_net(self) -> Decimal:
        return sum((line.net for line in self.taxable), ZERO)

    def taxable_year(self, year: int) -> YearGains:
        return next((line for line in self.taxable if line.year == year), YearGains(year))

    def not_taxable_year(self, year: int) -> YearGains:
        return next((line for line in self.not_taxable if line.year == year), YearGains(year))

    def to_dict(self) -> dict[str, object]:
        return {
            "household_id": self.household_id,
            "taxable": _years_to_dict(self.taxable),
            "not_taxable": _years_to_dict(self.not_taxable),
            "taxable_net": _cents(self.taxable_net),
        }


@dataclass(frozen=True, slots=True)
class GainsReport:
    """Realised gains per account and per household (each sorted by id)."""

    accounts: tuple[AccountGains, ...] = ()
    households: tuple[HouseholdGains, ...] = ()

    def account(self, account_id: str) -> AccountGains:
        for line in self.accounts:
            if line.account_id == account_id:
                return line
        raise NotFoundError(f"gains report: no account {account_id!r}")

    def household(self, household_id: str) -> HouseholdGains:
        for line in self.households:
            if line.household_id == household_id:
                return line
        raise NotFoundError(f"gains report: no household {household_id!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "accounts": [line.to_dict() for line in self.accounts],
            "households": [line.to_dict() for line in self.households],
        }


def realised_gains(
    disposals: Iterable[Disposal], accounts: Iterable[Account] | Mapping[str, Account]
) -> GainsReport:
    """The realised-gains report of ``disposals``; every disposal's account must be in
    ``accounts`` (an unknown one raises NotFoundError). Accounts without disposals are listed
    with no years, so every account and household given appears in the report.
    """
    known = dict(accounts) if isinstance(accounts, Mapping) else {a.account_id: a for a in accounts}
    for account_id, account in known.items():
        if account.account_id != account_id:
            raise InvariantError(
                f"accounts: key {account_id!r} maps to account {account.account_id!r}"
            )
    per_account: dict[str, dict[int, YearGains]] = {account_id: {} for account_id in known}
    for disposal in disposals:
        if disposal.account_id not in known:
            raise NotFoundError(
                f"disposal {disposal.disposal_id}: unknown account {disposal.account_id!r}"
            )
        years = per_account[disposal.account_id]
        year = disposal.sold.year
        years[year] = years.get(year, YearGains(year)).add(disposal)

    account_lines = tuple(
        AccountGains(
            account_id=account_id,
            household_id=known[account_id].household_id,
            account_type=known[account_id].account_type,
            years=_by_year(per_account[account_id].values()),
        )
        for account_id in sorted(known)
    )
    household_lines = tuple(
        HouseholdGains(
            household_id=household_id,
            taxable=_by_year(
                y
                for line in account_lines
                if line.household_id == household_id and line.taxable
                for y in line.years
            ),
            not_taxable=_by_year(
                y
                for line in account_lines
                if line.household_id == household_id and not line.taxable
                for y in line.years
            ),
        )
        for household_id in sorted({line.household_id for line in account_lines})
    )
    return GainsReport(account_lines, household_lines)
