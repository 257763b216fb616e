"""Seeded factories for the estimator tests: daily returns with a common factor."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_returns(n_rows: int = 300, n_assets: int = 6, seed: int = 7) -> pd.DataFrame:
    """Daily-like returns (about 1 % a day) driven by one market factor plus noise."""
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.01, (n_rows, 1))
    betas = rng.uniform(0.5, 1.5, n_assets)
    noise = rng.normal(0.0, 0.006, (n_rows, n_assets))
    tickers = [f"T{i:03d}" for i in range(n_assets)]
    dates = pd.bdate_range("2020-01-01", periods=n_rows)
    return pd.DataFrame(market * betas + noise, index=dates, columns=tickers)


def indefinite_pairwise_returns(seed: int = 3) -> pd.DataFrame:
    """Three assets seen two at a time: A~B and B~C move together, A~C move oppositely.

    Each pair alone is consistent, but no single joint distribution has correlations
    (+1, +1, -1): the pairwise covariance is indefinite.
    """
    rng = np.random.default_rng(seed)
    n = 100
    base = rng.normal(0.0, 0.01, 3 * n)
    noise = rng.normal(0.0, 0.0005, (3 * n, 3))
    a = np.full(3 * n, np.nan)
    b = np.full(3 * n, np.nan)
    c = np.full(3 * n, np.nan)
    a[:n], b[:n] = base[:n], base[:n]  # A and B together
    b[n : 2 * n], c[n : 2 * n] = base[n : 2 * n], base[n : 2 * n]  # B and C together
    a[2 * n :], c[2 * n :] = base[2 * n :], -base[2 * n :]  # A and C opposite
    return pd.DataFrame(np.column_stack([a, b, c]) + noise, columns=["A", "B", "C"])
