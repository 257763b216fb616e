"""A short research run shared by the research tests: 15 bundled ETFs, data from 2007, a test
from 2010-07-01 to 2012-12-31 (30 rebalances), fast models (momentum, zero, elastic net) and
two volatility models. Computed once per test session (about ten seconds)."""

from __future__ import annotations

import pandas as pd
import pytest
from research_testdata import etf_bars, market_of, short_config

from microfolio.services.research import ResearchResult, run_research
from microfolio.signals.monitor import InMemoryRegistry


@pytest.fixture(scope="session")
def research_bars() -> pd.DataFrame:
    return etf_bars()


@pytest.fixture(scope="session")
def research_run(research_bars: pd.DataFrame) -> tuple[ResearchResult, InMemoryRegistry]:
    registry = InMemoryRegistry()
    return run_research(short_config(), market_of(research_bars), registry=registry), registry


@pytest.fixture(scope="session")
def research_result(research_run: tuple[ResearchResult, InMemoryRegistry]) -> ResearchResult:
    return research_run[0]
