"""Valuation: where Decimal holdings meet float prices, and become weights.

This is one of the two places where money and floats convert (the other turns trades into
orders). A held ticker without a usable price raises :class:`InvalidPriceError`: a bad price
never silently becomes a value or a weight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from microfolio.domain.disposal import held_long_term
from microfolio.domain.lot import Lot
from microfolio.domain.money import ZERO, money
from microfolio.errors import DataFormatError
from microfolio.ledger.book import Book

__all__ = [
    "HoldingWeights",
    "InvalidPriceError",
    "LotView",
    "Valuation",
    "lot_views",
    "valuation",
    "weights",
]


class InvalidPriceError(DataFormatError):
    """A held ticker has no price, or one that is not a positive finite number."""

    def __init__(self, ticker: str, value: object) -> None:
        super().__init__(f"price of held ticker {ticker} must be positive and finite, got {value}")
        self.ticker = ticker
        self.value = value


@dataclass(frozen=True, slots=True)
class HoldingWeights:
    """Weight of each held ticker and of cash in an account's value; they sum to one."""

    weights: Mapping[str, float] = field(default_factory=dict)
    cash: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))


@dataclass(frozen=True, slots=True)
class Valuation:
    """Cash plus the market value of each held ticker (to the cent) at given prices."""

    cash: Decimal
    values: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @property
    def market_value(self) -> Decimal:
        return sum(self.values.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.cash + self.market_value

    def as_floats(self) -> tuple[dict[str, float], float]:
        """Market value by ticker and cash, as floats for the analytics (the planner)."""
        return {t: float(v) for t, v in self.values.items()}, float(self.cash)

    def weights(self) -> HoldingWeights:
        """Weights of the held tickers and cash; an account worth nothing is all cash."""
        total = self.total
        if total <= 0:
            return HoldingWeights(dict.fromkeys(self.values, 0.0), 1.0)
        return HoldingWeights(
            {ticker: float(value / total) for ticker, value in self.values.items()},
            float(self.cash / total),
        )


def _usable(ticker: str, prices: Mapping[str, float]) -> Decimal:
    if ticker not in prices:
        raise InvalidPriceError(ticker, "no price")
    value = float(prices[ticker])
    if not math.isfinite(value) or value <= 0:
        raise InvalidPriceError(ticker, value)
    return Decimal(repr(value))  # the shortest decimal that round-trips, as domain.money does


def valuation(book: Book, prices: Mapping[str, float]) -> Valuation:
    """Value ``book`` at ``prices``: each position's quantity times price, to the cent.

    Prices of tickers the book does not hold are ignored.
    """
    return Valuation(
        cash=book.cash,
        values={
            ticker: money(shares * _usable(ticker, prices))
            for ticker, shares in book.positions().items()
        },
    )


def weights(book: Book, prices: Mapping[str, float]) -> HoldingWeights:
    """Weights of ``book``'s holdings and cash at ``prices`` (see :func:`valuation`)."""
    return valuation(book, prices).weights()


@dataclass(frozen=True, slots=True)
class LotView:
    """A lot as the planner sees it at a price: floats for the analytics, the Decimal shares kept
    for the order. ``tax_cost`` includes any wash-sale basis adjustment; ``long_term`` counts a
    carried-over holding period."""

    lot_id: str
    ticker: str
    shares: Decimal
    quantity: float
    price: float
    tax_cost: float
    long_term: bool

    @property
    def value(self) -> float:
        return self.quantity * self.price

    @property
    def gain(self) -> float:
        """Unrealised gain for tax (negative: a loss)."""
        return self.value - self.tax_cost

    @property
    def tax_cost_per_share(self) -> float:
        return self.tax_cost / self.quantity


def lot_views(
    lots: tuple[Lot, ...], prices: Mapping[str, float], session: date
) -> tuple[LotView, ...]:
    """Each lot valued at ``prices`` on ``session`` (a held ticker without a price raises
    :class:`InvalidPriceError`)."""
    views = []
    for lot in lots:
        price = float(_usable(lot.ticker, prices))
        views.append(
            LotView(
                lot_id=lot.lot_id,
                ticker=lot.ticker,
                shares=lot.quantity,
                quantity=float(lot.quantity),
                price=price,
                tax_cost=float(lot.tax_cost),
                long_term=held_long_term(lot.tax_acquired, session),
            )
        )
    return tuple(views)
