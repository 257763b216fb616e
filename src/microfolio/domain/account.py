"""Households and their accounts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from microfolio.errors import InvariantError

__all__ = ["MAX_RISK_LEVEL", "Account", "AccountType", "Household", "LotMethod"]

#: risk levels run 0 (most conservative) to 10 (the model family's levels)
MAX_RISK_LEVEL = 10


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
    """A client account: its identity and settings. Cash and lots live in the ledger's Book.

    ``risk_level`` (0..``MAX_RISK_LEVEL``) picks the account's model portfolio; None until the
    client is onboarded (the daily cycle refuses an account without one).
    """

    account_id: str
    household_id: str
    name: str
    account_type: AccountType = AccountType.TAXABLE
    fractional: bool = True
    lot_method: LotMethod = LotMethod.FIFO
    risk_level: int | None = None

    def __post_init__(self) -> None:
        if not self.account_id:
            raise InvariantError("account_id must be non-empty")
        if not self.household_id:
            raise InvariantError(f"household_id of account {self.account_id} must be non-empty")
        if not isinstance(self.account_type, AccountType):
            raise InvariantError(f"account_type must be an AccountType, got {self.account_type!r}")
        if not isinstance(self.lot_method, LotMethod):
            raise InvariantError(f"lot_method must be a LotMethod, got {self.lot_method!r}")
        level = self.risk_level
        if level is not None and (
            isinstance(level, bool)
            or not isinstance(level, int)
            or not 0 <= level <= MAX_RISK_LEVEL
        ):
            raise InvariantError(
                f"risk_level of account {self.account_id} must be an integer in "
                f"0..{MAX_RISK_LEVEL} or None, got {level!r}"
            )
