"""What the account planner asks of the household around it: funds and the wash-sale guard.

Both are protocols so that the planner stays a pure decision function: the service binds the
fund catalogue to the session's market view, and the household's wash-sale window (in
:mod:`microfolio.tax`) implements the guard, shared by every account of the household within one
decision pass so that one account's plan sees the others'.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from microfolio.domain import Account

__all__ = ["FundMenu", "WashGuard"]


class FundMenu(Protocol):
    """The funds of each asset class that can be traded this session."""

    def class_of(self, ticker: str) -> str:
        """The asset class of ``ticker`` (raises NotFoundError for an unknown ticker)."""
        ...

    def candidates(self, asset_class: str, account: Account) -> tuple[str, ...]:
        """The class's tradable funds, in the order this account should prefer them."""
        ...


class WashGuard(Protocol):
    """The household's wash-sale window as the planner consults and extends it."""

    def identical(self, a: str, b: str) -> bool:
        """Whether two tickers are substantially identical securities."""
        ...

    def buy_blocker(self, ticker: str) -> str | None:
        """Why a purchase of ``ticker`` now could wash a household loss, or None if it cannot."""
        ...

    def loss_sale_blocker(self, ticker: str, selling: Mapping[str, Decimal]) -> str | None:
        """Why a loss sale of ``ticker`` (the lots and shares in ``selling``) now would be
        washed by a household purchase, or None if it would not."""
        ...

    def note_buy(self, account_id: str, ticker: str) -> None:
        """Record a planned purchase, so later plans of this pass see it."""
        ...

    def note_loss_sale(self, account_id: str, ticker: str) -> None:
        """Record a planned sale that may realise a loss, so later plans of this pass see it."""
        ...
