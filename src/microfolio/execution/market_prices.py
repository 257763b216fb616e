"""Session opens for the simulated broker, read through ``MarketData.view``."""

from __future__ import annotations

import math
from datetime import date

from microfolio.data import MarketData

__all__ = ["MarketOpenPrices"]


class MarketOpenPrices:
    """The ``OpenPrices`` the simulated broker needs, from validated market data.

    The broker may only see the open of the session it is executing: the view is taken at that
    session, and a ticker without a bar that session has no price (None).
    """

    def __init__(self, market: MarketData) -> None:
        self._market = market
        self._session: date | None = None
        self._opens: dict[str, float] = {}

    def open_price(self, ticker: str, session: date) -> float | None:
        if session != self._session:
            view = self._market.view(session)
            row = view.last("open") if view.as_of == session else None
            self._opens = {} if row is None else {str(t): float(v) for t, v in row.items()}
            self._session = session
        value = self._opens.get(ticker)
        return value if value is not None and math.isfinite(value) and value > 0 else None
