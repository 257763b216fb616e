"""Realised-gains report: short- and long-term gains and losses per account and household, by year.

Built from the ledger's :class:`~microfolio.domain.Disposal` records and the accounts they belong
to. A disposal's year is the calendar year of its sale; its term is ``Disposal.long_term``. IRAs
(traditional and Roth) are reported separately from taxable accounts, as not taxable.

Wash sales: a loss that a wash sale disallowed (IRC 1091) is not a deductible loss. Given the
disallowed amounts by loss disposal id (positive; :func:`disallowed_losses` sums them from the
:class:`~microfolio.tax.wash_records.WashSale` records, permanent ones included), a loss disposal
counts with the tax gain ``tax_gain + disallowed``, capped at zero: a disallowance never turns a
loss into a gain. The amount so taken out of the losses is reported as ``disallowed`` on each
year, account and household, so ``losses - disallowed`` is the loss before the wash-sale rule.
``to_dict`` shows ``disallowed`` only where it is not zero, so a report without wash sales reads
as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from microfolio.domain.account import Account, AccountType
from microfolio.domain.disposal import Disposal
from microfolio.domain.money import ZERO, money
from microfolio.errors import InvariantError, NotFoundError

__all__ = [
    "AccountGains",
    "Disallowance",
    "GainsReport",
    "HouseholdGains",
    "TermGains",
    "YearGains",
    "disallowed_losses",
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


def _allowed(disposal: Disposal, disallowed: Decimal) -> tuple[Decimal, Decimal]:
    """The disposal's tax gain once ``disallowed`` (>= 0) of its loss is taken out, and the
    amount actually taken out (no more than the loss)."""
    if disallowed < 0:
        raise InvariantError(
            f"disallowed: disposal {disposal.disposal_id} has a negative amount {disallowed}"
        )
    if disallowed == 0:
        return disposal.tax_gain, ZERO
    if disposal.tax_gain >= 0:
        raise InvariantError(
            f"disallowed: disposal {disposal.disposal_id} has {disallowed} disallowed but its "
            f"tax gain {disposal.tax_gain} is not a loss"
        )
    taken = min(disallowed, -disposal.tax_gain)
    return disposal.tax_gain + taken, taken


@dataclass(frozen=True, slots=True)
class YearGains:
    """Realised gains of one calendar year, split by term.

    ``disallowed`` (>= 0) is the loss that wash sales disallowed this year; it is already out of
    the terms' losses.
    """

    year: int
    short_term: TermGains = TermGains()
    long_term: TermGains = TermGains()
    disallowed: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.disallowed < 0:
            raise InvariantError(
                f"year gains {self.year}: disallowed must be >= 0, got {self.disallowed}"
            )

    @property
    def net(self) -> Decimal:
        return self.short_term.net + self.long_term.net

    def add(self, disposal: Disposal, disallowed: Decimal = ZERO) -> YearGains:
        """This year with ``disposal`` added, ``disallowed`` of its loss not deductible."""
        gain, taken = _allowed(disposal, disallowed)
        if disposal.long_term:
            return YearGains(
                self.year, self.short_term, self.long_term.add(gain), self.disallowed + taken
            )
        return YearGains(
            self.year, self.short_term.add(gain), self.long_term, self.disallowed + taken
        )

    def plus(self, other: YearGains) -> YearGains:
        return YearGains(
            self.year,
            self.short_term.plus(other.short_term),
            self.long_term.plus(other.long_term),
            self.disallowed + other.disallowed,
        )

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "year": self.year,
            "short_term": self.short_term.to_dict(),
            "long_term": self.long_term.to_dict(),
            "net": _cents(self.net),
        }
        if self.disallowed:
            data["disallowed"] = _cents(self.disallowed)
        return data


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

    @property
    def disallowed(self) -> Decimal:
        """Losses disallowed by wash sales, all years."""
        return sum((line.disallowed for line in self.years), ZERO)

    def year(self, year: int) -> YearGains:
        """The given year's gains (zeros if nothing was sold that year)."""
        return next((line for line in self.years if line.year == year), YearGains(year))

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "account_id": self.account_id,
            "household_id": self.household_id,
            "account_type": self.account_type.value,
            "taxable": self.taxable,
            "years": _years_to_dict(self.years),
            "net": _cents(self.net),
        }
        if self.disallowed:
            data["disallowed"] = _cents(self.disallowed)
        return data


@dataclass(frozen=True, slots=True)
class HouseholdGains:
    """A household's realised gains by year: taxable accounts and IRAs (not taxable) apart."""

    household_id: str
    taxable: tuple[YearGains, ...] = ()
    not_taxable: tuple[YearGains, ...] = ()

    @property
    def taxable_net(self) -> Decimal:
        return sum((line.net for line in self.taxable), ZERO)

    @property
    def disallowed(self) -> Decimal:
        """Losses disallowed by wash sales, all years (only taxable accounts have any)."""
        return sum((line.disallowed for line in self.taxable), ZERO)

    def taxable_year(self, year: int) -> YearGains:
        return next((line for line in self.taxable if line.year == year), YearGains(year))

    def not_taxable_year(self, year: int) -> YearGains:
        return next((line for line in self.not_taxable if line.year == year), YearGains(year))

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "household_id": self.household_id,
            "taxable": _years_to_dict(self.taxable),
            "not_taxable": _years_to_dict(self.not_taxable),
            "taxable_net": _cents(self.taxable_net),
        }
        if self.disallowed:
            data["disallowed"] = _cents(self.disallowed)
        return data


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


class Disallowance(Protocol):
    """What :func:`disallowed_losses` reads of a wash sale
    (:class:`~microfolio.tax.wash_records.WashSale` has it)."""

    @property
    def loss_disposal_id(self) -> str: ...

    @property
    def disallowed(self) -> Decimal: ...


def disallowed_losses(wash_sales: Iterable[Disallowance]) -> dict[str, Decimal]:
    """The loss each wash sale disallowed, summed by loss disposal id (permanent ones too: a
    loss washed into an IRA is not deductible either): the ``disallowed`` argument of
    :func:`realised_gains`."""
    totals: dict[str, Decimal] = {}
    for wash in wash_sales:
        totals[wash.loss_disposal_id] = totals.get(wash.loss_disposal_id, ZERO) + wash.disallowed
    return totals


def realised_gains(
    disposals: Iterable[Disposal],
    accounts: Iterable[Account] | Mapping[str, Account],
    disallowed: Mapping[str, Decimal] | None = None,
) -> GainsReport:
    """The realised-gains report of ``disposals``; every disposal's account must be in
    ``accounts`` (an unknown one raises NotFoundError). Accounts without disposals are listed
    with no years, so every account and household given appears in the report.

    ``disallowed`` maps loss disposal ids to the loss wash sales disallowed (positive amounts):
    that much of the disposal's loss is not deductible (capped at the loss). Ids of disposals
    not given are ignored, so one mapping can serve several reports. A disallowed amount on a
    disposal that is not a loss, or in an account that is not taxable, or a negative one, is
    refused with InvariantError.
    """
    washed = disallowed if disallowed is not None else {}
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
        amount = washed.get(disposal.disposal_id, ZERO)
        if amount and not known[disposal.account_id].account_type.is_taxable:
            raise InvariantError(
                f"disallowed: disposal {disposal.disposal_id} is in account "
                f"{disposal.account_id!r}, which is not taxable (no wash-sale loss there)"
            )
        years = per_account[disposal.account_id]
        year = disposal.sold.year
        years[year] = years.get(year, YearGains(year)).add(disposal, amount)

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
