"""The benchmark universes: identical frames of daily simple returns for every library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from microfolio.data import load_bundled_bars, long_to_wide, read_bars
from microfolio.estimate import returns_from_prices

__all__ = [
    "WINDOW",
    "Universe",
    "build_universes",
    "etf_universe",
    "stock_universe",
    "synthetic_universe",
]

#: three years of daily sessions
WINDOW = 756
STOCKS_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "stocks_daily.csv.gz"


@dataclass(frozen=True, slots=True)
class Universe:
    """One benchmark input: a returns frame (rows: sessions, columns: tickers) and its story."""

    name: str
    title: str
    returns: pd.DataFrame
    note: str

    @property
    def n_assets(self) -> int:
        return int(self.returns.shape[1])

    @property
    def n_days(self) -> int:
        return int(self.returns.shape[0])


def window_returns(prices: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """Simple returns over the last ``window`` sessions; assets with any missing price dropped."""
    returns = returns_from_prices(prices.iloc[-(window + 1) :])
    complete = returns.columns[returns.notna().all()]
    returns = returns[complete]
    # a constant price (zero variance) makes every method degenerate: drop it too
    return returns.loc[:, returns.std() > 0]


def etf_universe(window: int = WINDOW) -> Universe:
    prices = long_to_wide(load_bundled_bars(), "close")
    returns = window_returns(prices, window)
    return Universe(
        "etfs",
        f"Bundled ETFs ({returns.shape[1]} assets x {returns.shape[0]} days)",
        returns,
        "microfolio's bundled ETFs, tickers with a full history over the window",
    )


def stock_universe(window: int = WINDOW, path: Path = STOCKS_FILE) -> Universe:
    prices = long_to_wide(read_bars(path), "close")
    returns = window_returns(prices, window)
    return Universe(
        "stocks",
        f"US stocks ({returns.shape[1]} assets x {returns.shape[0]} days)",
        returns,
        f"{path.name}: the 500 most-traded US stocks, those with a full history over the window",
    )


def synthetic_universe(
    n_assets: int = 2000, n_days: int = 2520, n_factors: int = 10, seed: int = 20171110
) -> Universe:
    """Daily returns from a seeded k-factor model: r = alpha + B f + e.

    The default history is longer than the 756-day window of the real universes on purpose: with
    2000 assets a 756-day sample covariance has rank at most 755, so long-only minimum variance
    and ERC are not well posed (a zero-variance long-only portfolio may exist and the solution is
    not unique) and no weight comparison would mean anything.
    """
    rng = np.random.default_rng(seed)
    factor_vol = np.r_[0.010, np.full(n_factors - 1, 0.004)]
    loadings = rng.normal(0.0, 0.6, size=(n_assets, n_factors))
    loadings[:, 0] = rng.normal(1.0, 0.3, size=n_assets)
    idio_vol = rng.uniform(0.008, 0.025, size=n_assets)
    alpha = rng.normal(0.0003, 0.0004, size=n_assets)
    factors = rng.normal(size=(n_days, n_factors)) * factor_vol
    noise = rng.normal(size=(n_days, n_assets)) * idio_vol
    values = alpha + factors @ loadings.T + noise
    index = pd.bdate_range(end="2017-11-10", periods=n_days, name="date")
    columns = pd.Index([f"S{i:04d}" for i in range(n_assets)], name="ticker")
    returns = pd.DataFrame(values, index=index, columns=columns)
    return Universe(
        "synthetic",
        f"Synthetic factor model ({n_assets} assets x {n_days} days)",
        returns,
        f"{n_factors}-factor model, seed {seed}; {n_days} days so that the sample covariance "
        "has full rank",
    )


def build_universes(names: list[str], synthetic_days: int = 2520) -> list[Universe]:
    makers = {
        "etfs": etf_universe,
        "stocks": stock_universe,
        "synthetic": lambda: synthetic_universe(n_days=synthetic_days),
    }
    return [makers[name]() for name in names]
