"""Fixtures for the monitor tests: real point-in-time features of the bundled ETFs (computed
once per test session) and a way to cut them into windows of dates."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from microfolio.data import GatePolicy, MarketData, load_bundled_bars
from microfolio.features import FeatureFrame, FeatureSet

#: the last session the features may see
AS_OF = "2013-12-31"


@pytest.fixture(scope="session")
def monitor_features() -> FeatureFrame:
    """Every default feature of the 54 bundled ETFs, 2005-02-25..2013-12-31."""
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    view = market.view(AS_OF)
    return FeatureSet().fit(view).transform(view)


@pytest.fixture(scope="session")
def between(monitor_features: FeatureFrame) -> Callable[[str, str], FeatureFrame]:
    """``between(start, end)``: the rows of the features dated ``start..end``."""

    def cut(start: str, end: str) -> FeatureFrame:
        frame = monitor_features.frame
        dates = frame.index.get_level_values("date")
        return FeatureFrame(frame[(dates >= start) & (dates <= end)], monitor_features.spec)

    return cut
