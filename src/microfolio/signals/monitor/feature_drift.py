"""Feature drift: does a recent window of features look like the window the model learned on?

:class:`FeatureDriftMonitor` follows the scikit-learn contract. ``fit(reference)`` keeps, per
feature of a :class:`~microfolio.features.FeatureFrame` (pooled over dates and tickers,
missing values dropped), the sorted reference sample, its quantile bin edges and bin shares.
``check(window)`` compares the same features of a later window and returns a frozen
:class:`FeatureDriftReport` with, per feature, the PSI against the reference bins, the KS
statistic and p-value, and a ``drifted`` flag: ``psi >= psi_threshold`` or ``ks_statistic >=
ks_threshold``. The flag reads effect sizes, not the p-value: feature windows pool thousands of
correlated, overlapping observations, so nearly every difference is "significant" (on the
bundled ETFs, 2012 against 2013, every p-value of a non-rank feature is below 1e-7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import FeatureFrame
from microfolio.signals.monitor._checks import (
    check_count,
    check_non_negative,
    check_text,
    check_unit_interval,
    session,
)
from microfolio.signals.monitor.ks import KSResult, ks
from microfolio.signals.monitor.psi import (
    PSI_EPSILON,
    PSI_SIGNIFICANT,
    bin_shares,
    psi_of_shares,
    quantile_edges,
)

__all__ = ["REPORT_COLUMNS", "FeatureDrift", "FeatureDriftMonitor", "FeatureDriftReport"]

Floats = npt.NDArray[np.float64]

#: the columns of :meth:`FeatureDriftReport.to_frame`
REPORT_COLUMNS: tuple[str, ...] = (
    "psi",
    "ks_statistic",
    "p_value",
    "n_reference",
    "n_window",
    "drifted",
)


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """How one feature of a window compares with the reference."""

    feature: str
    psi: float
    ks_statistic: float
    p_value: float
    n_reference: int
    n_window: int
    drifted: bool

    def __post_init__(self) -> None:
        check_text("feature", self.feature)
        check_non_negative("psi", self.psi)
        KSResult(self.ks_statistic, self.p_value)  # checks both lie in [0, 1]
        check_count("n_reference", self.n_reference, 1)
        check_count("n_window", self.n_window, 1)
        if not isinstance(self.drifted, bool):
            raise InvariantError(f"drifted must be True or False, got {self.drifted!r}")


@dataclass(frozen=True, slots=True)
class FeatureDriftReport:
    """Per-feature drift of a window against a reference, with both spans (sessions)."""

    reference_start: dt.date
    reference_end: dt.date
    window_start: dt.date
    window_end: dt.date
    features: tuple[FeatureDrift, ...]

    def __post_init__(self) -> None:
        if self.reference_start > self.reference_end:
            raise InvariantError(
                f"reference_start {self.reference_start} must not be after reference_end "
                f"{self.reference_end}"
            )
        if self.window_start > self.window_end:
            raise InvariantError(
                f"window_start {self.window_start} must not be after window_end {self.window_end}"
            )
        if not self.features:
            raise InvariantError("features must hold at least one FeatureDrift")
        names = [f.feature for f in self.features]
        if len(set(names)) != len(names):
            raise InvariantError(f"features repeat a name: {names}")

    @property
    def drifted(self) -> tuple[str, ...]:
        """The names of the features flagged as drifted, in report order."""
        return tuple(f.feature for f in self.features if f.drifted)

    @property
    def drifted_share(self) -> float:
        """The share of the checked features that drifted, in [0, 1]."""
        return len(self.drifted) / len(self.features)

    def feature(self, name: str) -> FeatureDrift:
        """The drift of one feature."""
        for drift in self.features:
            if drift.feature == name:
                return drift
        raise NotFoundError(f"feature {name!r} is not in the drift report")

    def to_frame(self) -> pd.DataFrame:
        """One row per feature, columns :data:`REPORT_COLUMNS`."""
        rows = {f.feature: [getattr(f, c) for c in REPORT_COLUMNS] for f in self.features}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(REPORT_COLUMNS))
        frame.index.name = "feature"
        return frame


class FeatureDriftMonitor(BaseEstimator):  # type: ignore[misc]
    """Compare windows of features with a reference window (module doc).

    Parameters: ``features`` (names to watch; None: every feature of the reference),
    ``bins`` (quantile bins of PSI, 10), ``epsilon`` (floor on a bin share),
    ``psi_threshold`` (0.25: "significant" in the usual reading), ``ks_threshold`` (0.2 on the
    KS statistic; 1 flags only samples that do not overlap at all), ``min_observations`` (non-missing values a feature needs in each window).
    """

    #: the watched feature names, and per feature the reference bins, shares and sample
    features_: tuple[str, ...]
    edges_: Mapping[str, Floats]
    shares_: Mapping[str, Floats]
    reference_: Mapping[str, Floats]
    reference_start_: dt.date
    reference_end_: dt.date

    def __init__(
        self,
        features: tuple[str, ...] | None = None,
        bins: int = 10,
        epsilon: float = PSI_EPSILON,
        psi_threshold: float = PSI_SIGNIFICANT,
        ks_threshold: float = 0.2,
        min_observations: int = 30,
    ) -> None:
        self.features = features
        self.bins = bins
        self.epsilon = epsilon
        self.psi_threshold = psi_threshold
        self.ks_threshold = ks_threshold
        self.min_observations = min_observations

    def fit(self, reference: FeatureFrame, y: object = None) -> Self:
        """Learn the reference sample, bins and shares of each watched feature."""
        self._check_params()
        frame = _frame_of("reference", reference)
        names = tuple(reference.names) if self.features is None else self.features
        samples = {name: self._sample("reference", frame, name) for name in names}
        edges = {name: quantile_edges(sample, self.bins) for name, sample in samples.items()}
        self.features_ = names
        self.edges_ = edges
        self.shares_ = {name: bin_shares(samples[name], edges[name]) for name in names}
        self.reference_ = {name: np.sort(sample) for name, sample in samples.items()}
        self.reference_start_ = session(reference.dates[0])
        self.reference_end_ = session(reference.dates[-1])
        return self

    def check(self, window: FeatureFrame) -> FeatureDriftReport:
        """Drift of each watched feature of ``window`` against the reference."""
        check_is_fitted(self, "reference_")
        frame = _frame_of("window", window)
        drifts = []
        for name in self.features_:
            sample = self._sample("window", frame, name)
            value = psi_of_shares(
                self.shares_[name], bin_shares(sample, self.edges_[name]), self.epsilon
            )
            test = ks(self.reference_[name], sample)
            drifts.append(
                FeatureDrift(
                    feature=name,
                    psi=value,
                    ks_statistic=test.statistic,
                    p_value=test.p_value,
                    n_reference=len(self.reference_[name]),
                    n_window=len(sample),
                    drifted=bool(
                        value >= self.psi_threshold or test.statistic >= self.ks_threshold
                    ),
                )
            )
        return FeatureDriftReport(
            reference_start=self.reference_start_,
            reference_end=self.reference_end_,
            window_start=session(window.dates[0]),
            window_end=session(window.dates[-1]),
            features=tuple(drifts),
        )

    def _check_params(self) -> None:
        if self.features is not None and (
            not isinstance(self.features, tuple)
            or not self.features
            or len(set(self.features)) != len(self.features)
        ):
            raise InvariantError(
                f"features must be None or a non-empty tuple of distinct names, "
                f"got {self.features!r}"
            )
        check_count("bins", self.bins, 2)
        check_unit_interval("epsilon", self.epsilon)
        check_non_negative("psi_threshold", self.psi_threshold)
        ks_threshold = self.ks_threshold
        if isinstance(ks_threshold, bool) or not isinstance(ks_threshold, int | float):
            raise InvariantError(f"ks_threshold must be a number in (0, 1], got {ks_threshold!r}")
        if not 0.0 < ks_threshold <= 1.0:
            raise InvariantError(f"ks_threshold must be a number in (0, 1], got {ks_threshold!r}")
        check_count("min_observations", self.min_observations, 2)

    def _sample(self, which: str, frame: pd.DataFrame, name: str) -> Floats:
        if name not in frame.columns:
            raise NotFoundError(f"feature {name!r} is not in the {which} features")
        column: Floats = frame[name].to_numpy(dtype=np.float64)
        values: Floats = column[np.isfinite(column)]
        if len(values) < self.min_observations:
            raise DataFormatError(
                f"feature {name!r} has {len(values)} values in the {which}, "
                f"needs at least {self.min_observations}"
            )
        return values


def _frame_of(name: str, features: object) -> pd.DataFrame:
    if not isinstance(features, FeatureFrame):
        raise DataFormatError(f"{name} must be a FeatureFrame, got {type(features).__name__}")
    if len(features) == 0:
        raise DataFormatError(f"{name} features have no rows")
    return features.frame
