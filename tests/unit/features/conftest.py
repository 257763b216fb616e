"""Fixtures for the feature tests: the bundled ETFs, and a small panel of them for speed."""

from __future__ import annotations

import pytest

from microfolio.data import FIELDS, GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.features import WideBars

#: ten ETFs, two pairs of which share an asset class; BND and DBC start after the others
PANEL_TICKERS = ("AGG", "BND", "DBC", "EEM", "GLD", "IAU", "IVV", "SPY", "TLT", "VTI")
PANEL_END = "2008-12-31"


@pytest.fixture(scope="session")
def market() -> MarketData:
    """The bundled ETFs through the validation gate (54 tickers, 2005-02-25..2017-11-10)."""
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@pytest.fixture(scope="session")
def panel(market: MarketData) -> WideBars:
    """Ten bundled ETFs from their start to the end of 2008 (about 970 sessions)."""
    view = market.view(PANEL_END)
    return WideBars(**{field: view.frame(field)[list(PANEL_TICKERS)] for field in FIELDS})


@pytest.fixture(scope="session")
def panel_classes() -> dict[str, str]:
    """The asset class of each panel ticker, from the bundled universe."""
    return {a.ticker: a.asset_class for a in load_universe() if a.ticker in PANEL_TICKERS}
