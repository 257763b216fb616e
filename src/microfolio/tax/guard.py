"""The household's wash-sale guard: the planner's side of the wash-sale window.

The planner decides after one session's close; its orders fill at a later session (the trade
date), at the earliest the next calendar day. The guard therefore asks the window about any
trade date on or after ``earliest_trade`` (see ``WashSaleWindow.blocking_losses`` and
``blocking_purchases``), which is conservative however many days the fill takes. Trades planned
earlier in the same household pass count too: a planned purchase blocks a loss sale of the same
security anywhere in the household, and a planned sale that may realise a loss blocks purchases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from microfolio.tax.identical import SecurityIdentity
from microfolio.tax.wash_sale import WashSaleWindow

__all__ = ["HouseholdWashGuard"]


class HouseholdWashGuard:
    """Implements ``rebalance.WashGuard`` over a household's window for one decision pass."""

    def __init__(
        self, window: WashSaleWindow, identity: SecurityIdentity, earliest_trade: date
    ) -> None:
        self.window = window
        self.identity = identity
        self.earliest_trade = earliest_trade
        self._planned_buys: dict[str, list[tuple[str, str]]] = {}
        self._planned_losses: dict[str, list[tuple[str, str]]] = {}

    def identical(self, a: str, b: str) -> bool:
        return self.identity.identical(a, b)

    def buy_blocker(self, ticker: str) -> str | None:
        key = self.identity.key(ticker)
        planned = self._planned_losses.get(key)
        if planned:
            account, sold = planned[0]
            return f"a sale of {sold} that may realise a loss is planned today in {account}"
        losses = self.window.blocking_losses(key, self.earliest_trade)
        if losses:
            loss = losses[-1]
            return (
                f"{loss.ticker} was sold at a ${loss.loss:,.2f} loss in {loss.account_id} on "
                f"{loss.sold} (within 30 days of a trade on or after {self.earliest_trade})"
            )
        return None

    def loss_sale_blocker(self, ticker: str, selling: Mapping[str, Decimal]) -> str | None:
        key = self.identity.key(ticker)
        planned = self._planned_buys.get(key)
        if planned:
            account, bought = planned[0]
            return f"a purchase of {bought} is planned today in {account}"
        purchases = self.window.blocking_purchases(key, self.earliest_trade, selling)
        if purchases:
            buy = purchases[-1]
            return (
                f"{buy.ticker} was bought in {buy.account_id} on {buy.acquired} (lot "
                f"{buy.lot_id}, within 30 days of a trade on or after {self.earliest_trade})"
            )
        return None

    def note_buy(self, account_id: str, ticker: str) -> None:
        self._planned_buys.setdefault(self.identity.key(ticker), []).append((account_id, ticker))

    def note_loss_sale(self, account_id: str, ticker: str) -> None:
        self._planned_losses.setdefault(self.identity.key(ticker), []).append((account_id, ticker))
