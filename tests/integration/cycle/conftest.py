"""Fixtures for the cycle tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microfolio.data import MarketData
from support.world import World, bundled_market, make_world


@pytest.fixture(scope="session")
def market() -> MarketData:
    return bundled_market()


@pytest.fixture
def world(market: MarketData, tmp_path: Path) -> Iterator[World]:
    w = make_world(market, tmp_path)
    yield w
    w.store.dispose()
