"""Helpers for the execution tests: session dates, a table of opening prices, an order maker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from microfolio.domain import Order

D0 = date(2024, 1, 2)  # the session orders are decided on
D1 = date(2024, 1, 3)
D2 = date(2024, 1, 4)
D3 = date(2024, 1, 5)

OrderMaker = Callable[..., Order]


class OpenTable:
    """Opening prices from a dict; a missing key means no bar that session."""

    def __init__(self, opens: dict[tuple[str, date], float | None] | None = None) -> None:
        self.opens = dict(opens or {})

    def open_price(self, ticker: str, session: date) -> float | None:
        return self.opens.get((ticker, session))
