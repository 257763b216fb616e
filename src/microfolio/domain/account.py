"""Households and their accounts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from microfolio.errors import InvariantError

__all__ = ["Account", "AccountType", "Household", "LotMethod"]


class AccountType(StrEnum):
    TAXABLE = "taxable"
    TRADITIONAL_IRA = "traditional_ira"
    ROTH_IRA = "roth_ira"

    @property
    def is_taxable(self) -> bool:
        return self is AccountType.TAXABLE


class LotMethod(StrEnum):
    """How an account's sales pick lots (``microfolio.tax.selector_for`` gives the selector)."""

    FIFO = "fifo"
    HIFO = "hifo"
    SPECIFIC = "specific"
    TAX_MIN = "tax_min"


@dataclass(frozen=True, slots=True)
class Household:
    """The unit that owns accounts (a client, a couple): wash sales are checked across it."""

    household_id: str
    name: str

    def __post_init__(self) -> None:
        if not self.household_id:
            raise InvariantError("household_id must be non-empty")


@dataclass(frozen=True, slots=True)
class Account:
    """A client account: its identity and settings. Cash and lots live in the ledger's Book."""

    account_id: str
    household_id: str
    name: str
    account_type: AccountType = AccountType.TAXABLE
    fractional: bool = True
    lot_method: LotMethod = LotMethod.FIFO

    def __post_init__(self) -> None:
        if not self.account_id:
            raise InvariantError("account_id must be non-empty")
        if not self.household_id:
            raise InvariantError(f"household_id of account {self.account_id} must be non-empty")
        if not isinstance(self.account_type, AccountType):
            raise InvariantError(f"account_type must be an AccountType, got {self.account_type!r}")
        if not isinstance(self.lot_method, LotMethod):
            raise InvariantError(f"lot_method must be a LotMethod, got {self.lot_method!r}")
