"""Per-date cross-sectional z-scores of features: each value against the other tickers that day.

``(x - mean_t) / std_t`` over the tickers with a value on date ``t`` (population standard
deviation). A feature that is the same for every ticker on a date (such as the market features)
carries no cross-sectional information and becomes 0 there; NaN stays NaN. Each row reads only
its own date, so the transform keeps the point-in-time property and needs no fitting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microfolio.features import INDEX_NAMES

__all__ = ["cross_sectional_zscore", "model_inputs"]

#: a cross-sectional standard deviation below this is treated as zero (a constant feature)
_TINY = 1e-12


def cross_sectional_zscore(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows: (date, ticker)) z-scored per date and column (see the module)."""
    by_date = frame.groupby(level=INDEX_NAMES[0], sort=False)
    centred = frame - by_date.transform("mean")
    variance = (centred * centred).groupby(level=INDEX_NAMES[0], sort=False).transform("mean")
    values = centred.to_numpy(dtype=np.float64)
    scale = np.sqrt(variance.to_numpy(dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(scale > _TINY, values / np.where(scale > _TINY, scale, 1.0), 0.0)
    z[np.isnan(values)] = np.nan
    return pd.DataFrame(z, index=frame.index, columns=frame.columns)


def model_inputs(frame: pd.DataFrame, zscore_by_date: bool) -> pd.DataFrame:
    """What a model reads: ``frame`` as it is, or z-scored per date."""
    return cross_sectional_zscore(frame) if zscore_by_date else frame
