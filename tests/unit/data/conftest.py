"""Fixtures for the data-layer tests: seeded synthetic bars, the real files, injected faults."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from microfolio.data import IssueKind, load_bundled_bars, xnys_sessions

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO.parent / "shared" / "data"

MakeBars = Callable[..., pd.DataFrame]


@pytest.fixture(scope="session")
def sessions() -> pd.DatetimeIndex:
    """About 16 months of real XNYS sessions (holidays included as closed)."""
    return xnys_sessions("2015-01-02", "2016-04-29")


@pytest.fixture(scope="session")
def make_bars(sessions: pd.DatetimeIndex) -> MakeBars:
    """A factory of clean long bars: seeded random walks, consistent OHLC, steady volume.

    Daily moves are about 1%, so nothing is an outlier, a split or a stale run.
    """

    def make(
        tickers: Sequence[str] = ("AAA", "BBB"),
        n: int | None = None,
        seed: int = 7,
        vol: float = 0.01,
    ) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        dates = sessions if n is None else sessions[:n]
        frames = []
        for ticker in tickers:
            size = len(dates)
            close = 50.0 * np.exp(np.cumsum(rng.normal(0.0003, vol, size)))
            open_ = close * np.exp(rng.normal(0.0, vol / 4, size))
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "ticker": ticker,
                        "open": open_,
                        "high": np.maximum(open_, close) * (1 + rng.uniform(0.001, 0.01, size)),
                        "low": np.minimum(open_, close) * (1 - rng.uniform(0.001, 0.01, size)),
                        "close": close,
                        "volume": rng.normal(1e6, 1e5, size).round(),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    return make


def row_of(bars: pd.DataFrame, ticker: str, date: str) -> int:
    """The index label of the one bar of ``ticker`` on ``date``."""
    hits = bars.index[(bars["ticker"] == ticker) & (bars["date"] == pd.Timestamp(date))]
    assert len(hits) == 1, f"expected one bar for {ticker} {date}, found {len(hits)}"
    return int(hits[0])


@pytest.fixture
def row() -> Callable[[pd.DataFrame, str, str], int]:
    return row_of


@pytest.fixture(scope="session")
def bundled_bars() -> pd.DataFrame:
    """The real bundled ETF bars (copy before changing them)."""
    return load_bundled_bars()


@dataclass(frozen=True)
class InjectedFault:
    kind: IssueKind
    ticker: str
    date: str


#: the five faults injected into a copy of the bundled file, on ordinary-volume days
FAULTS = (
    InjectedFault(IssueKind.NON_POSITIVE, "VTI", "2012-06-01"),
    InjectedFault(IssueKind.OUTLIER, "IVV", "2014-06-04"),
    InjectedFault(IssueKind.DUPLICATE, "AGG", "2015-05-05"),
    InjectedFault(IssueKind.STALE, "GLD", "2013-02-01"),
    InjectedFault(IssueKind.OHLC_INCONSISTENT, "TLT", "2016-08-08"),
)


def inject_faults(bars: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``bars`` with the :data:`FAULTS`: a zero price, a 100x one-day spike, a
    duplicate row, a close frozen for 10 sessions and a high below the low."""
    out = bars.copy()
    prices = ["open", "high", "low", "close"]
    out.loc[row_of(out, "VTI", "2012-06-01"), prices] = 0.0
    out.loc[row_of(out, "IVV", "2014-06-04"), prices] *= 100.0
    stale = out.index[(out["ticker"] == "GLD") & (out["date"] >= pd.Timestamp("2013-02-01"))][:10]
    out.loc[stale, prices] = out.loc[stale[0], "close"]
    tlt = row_of(out, "TLT", "2016-08-08")
    out.loc[tlt, "high"] = out.loc[tlt, "low"] * 0.9
    agg = row_of(out, "AGG", "2015-05-05")
    return pd.concat([out, out.loc[[agg]]], ignore_index=True)


@pytest.fixture(scope="session")
def faulty_bars(bundled_bars: pd.DataFrame) -> pd.DataFrame:
    return inject_faults(bundled_bars)


@pytest.fixture(scope="session")
def faults() -> tuple[InjectedFault, ...]:
    return FAULTS


@pytest.fixture(scope="session")
def stocks_path() -> Path:
    """The 500-stock file outside the repo; the tests that need it skip when it is absent."""
    path = SHARED_DATA / "stocks_daily.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
