"""Ledger: each account's book (cash and tax lots), its double-entry journal, and valuation."""

from microfolio.ledger.allocation import allocate
from microfolio.ledger.book import Book, BookUpdate
from microfolio.ledger.journal import asset_balances, trial_balance
from microfolio.ledger.lot_selection import LotSelector, checked_picks, fifo
from microfolio.ledger.valuation import (
    HoldingWeights,
    InvalidPriceError,
    LotView,
    Valuation,
    lot_views,
    valuation,
    weights,
)

__all__ = [
    "Book",
    "BookUpdate",
    "HoldingWeights",
    "InvalidPriceError",
    "LotSelector",
    "LotView",
    "Valuation",
    "allocate",
    "asset_balances",
    "checked_picks",
    "fifo",
    "lot_views",
    "trial_balance",
    "valuation",
    "weights",
]
