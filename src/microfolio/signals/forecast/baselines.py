"""Baselines behind the forecaster interface: what a model has to beat.

* :class:`ZeroForecaster` has no view: it scores every row 0 with confidence 0 (``u`` infinite).
  Its information coefficient is 0 by definition (see
  :func:`~microfolio.signals.validation.information_coefficient`).
* :class:`MomentumBaseline` scores each row with one feature as it is (by default the 12-1
  month momentum ``mom_252_21``); it learns nothing. It has no model of its own uncertainty, so
  its confidence is 0.5 on every date (``u`` set to the label scale: no claimed edge).
* :class:`HistoricalMeanBaseline` scores each ticker with the mean of its training labels;
  ``u`` (per row) is the standard deviation of those labels. Tickers with fewer than
  ``min_observations`` training labels get the pooled mean and standard deviation.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast._checks import check_count
from microfolio.signals.forecast.base import BaseForecaster

__all__ = ["HistoricalMeanBaseline", "MomentumBaseline", "ZeroForecaster"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


class ZeroForecaster(BaseForecaster):
    """Scores 0 for every row of ``X``, with confidence 0 (no view)."""

    model_id: ClassVar[str] = "zero"

    def _check_params(self) -> None:
        return None

    def _usable(self, frame: pd.DataFrame) -> Mask:
        return np.ones(len(frame), dtype=bool)

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        return None

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        return np.zeros(int(usable.sum())), float("inf")


class MomentumBaseline(BaseForecaster):
    """Scores each row with ``feature`` (rows where it is present); learns nothing."""

    model_id: ClassVar[str] = "momentum"

    def __init__(self, feature: str = "mom_252_21") -> None:
        self.feature = feature

    def _check_params(self) -> None:
        if not isinstance(self.feature, str) or not self.feature:
            raise NotFoundError(f"feature must be a feature name, got {self.feature!r}")

    def _column(self, frame: pd.DataFrame) -> Floats:
        if self.feature not in frame.columns:
            raise NotFoundError(
                f"feature {self.feature!r} is not among the features of X "
                f"({', '.join(map(str, frame.columns))})"
            )
        values: Floats = frame[self.feature].to_numpy(dtype=np.float64)
        return values

    def _usable(self, frame: pd.DataFrame) -> Mask:
        mask: Mask = ~np.isnan(self._column(frame))
        return mask

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        return None

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        return self._column(frame)[usable], self.label_scale_


class HistoricalMeanBaseline(BaseForecaster):
    """Scores each ticker with the mean of its training labels (see the module).

    Learned state: ``means_`` and ``stds_`` (per ticker with at least ``min_observations``
    labels), ``pooled_mean_`` and ``pooled_std_``, plus the base's attributes.
    """

    model_id: ClassVar[str] = "historical_mean"

    means_: pd.Series
    stds_: pd.Series
    pooled_mean_: float
    pooled_std_: float

    def __init__(self, min_observations: int = 63) -> None:
        self.min_observations = min_observations

    def _check_params(self) -> None:
        check_count("min_observations", self.min_observations, 2)

    def _usable(self, frame: pd.DataFrame) -> Mask:
        return np.ones(len(frame), dtype=bool)

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        tickers = frame.index.get_level_values(INDEX_NAMES[1])[train]
        values = pd.Series(labels[train], index=tickers)
        grouped = values.groupby(level=0)
        counts = grouped.size()
        enough = counts.index[counts >= int(self.min_observations)]
        self.means_ = grouped.mean().loc[enough].rename("mean")
        self.stds_ = grouped.std(ddof=1).loc[enough].rename("std")
        self.pooled_mean_ = float(values.mean())
        self.pooled_std_ = float(values.std(ddof=1))

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        tickers = frame.index.get_level_values(INDEX_NAMES[1])[usable]
        means = self.means_.reindex(tickers).fillna(self.pooled_mean_).to_numpy(np.float64)
        stds = self.stds_.reindex(tickers).fillna(self.pooled_std_).to_numpy(np.float64)
        return means, stds
