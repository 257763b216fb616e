"""The long and short sides of a relative view: the top and bottom quantile of z per date.

On a date with ``n >= 2`` scored tickers, each side holds ``k = max(1, floor(quantile * n))``
tickers: the ``k`` highest z (top) and the ``k`` lowest (bottom); ties keep the index order
(tickers sorted), so the choice repeats exactly. Dates on which every z is 0 (no
cross-sectional view) have no sides. Used alike by the calibration (on the history) and by the
fusion (on the date of the views), so the relative view's error is measured on the rule that
builds it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.features import INDEX_NAMES

__all__ = ["quantile_sides"]

Mask = npt.NDArray[np.bool_]


def quantile_sides(z: pd.Series, quantile: float) -> tuple[Mask, Mask]:
    """Boolean masks over the rows of ``z`` (long, (date, ticker)): ``(top, bottom)``."""
    by_date = z.groupby(level=INDEX_NAMES[0], sort=False)
    n = by_date.transform("size").to_numpy(dtype=np.int64)
    spread = z.abs().groupby(level=INDEX_NAMES[0], sort=False).transform("max").to_numpy()
    rank = by_date.rank(method="first").to_numpy(dtype=np.float64)  # 1 = lowest z
    k = np.maximum(1, np.floor(quantile * n).astype(np.int64))
    active = (n >= 2) & (spread > 0.0)
    top: Mask = active & (rank > n - k)
    bottom: Mask = active & (rank <= k)
    return top, bottom
