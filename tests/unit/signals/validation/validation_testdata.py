"""Synthetic data for the validation tests (a module, not the conftest, so tests can import it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from microfolio.features import FeatureFrame


def synthetic(
    n_dates: int = 80, n_tickers: int = 25, seed: int = 7
) -> tuple[FeatureFrame, pd.Series]:
    """Features ``signal``, ``noise_a``, ``noise_b`` ~ N(0, 1); the label is
    ``0.02 * signal + 0.002 * N(0, 1)``: only ``signal`` is informative."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=n_dates)
    tickers = [f"T{i:02d}" for i in range(n_tickers)]
    index = pd.MultiIndex.from_product([dates, tickers], names=["date", "ticker"])
    values = rng.standard_normal((len(index), 3))
    frame = pd.DataFrame(values, index=index, columns=["signal", "noise_a", "noise_b"])
    label = 0.02 * values[:, 0] + 0.002 * rng.standard_normal(len(index))
    return FeatureFrame(frame), pd.Series(label, index=index, name="label")
