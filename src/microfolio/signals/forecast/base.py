"""The one forecaster interface: ``fit(X, y) -> self``, ``predict(X) -> ForecastScores``.

:class:`Forecaster` is the protocol the validation code relies on; :class:`BaseForecaster` is
the small abstract base every model here derives from. It follows the scikit-learn contract
(parameters in ``__init__``, checked in ``fit``; learned state ends in ``_``; ``fit`` returns
self) and does the shared work:

* ``fit``: ``X`` is a :class:`~microfolio.features.FeatureFrame` and ``y`` a label Series with
  exactly the same (date, ticker) rows (a label from :func:`~microfolio.features.forward_returns`
  or :func:`~microfolio.features.forward_excess_returns` of the same bars). Rows the model
  cannot use (a NaN label or, by default, any NaN feature) are dropped; ``n_train_`` counts
  the rows fitted, ``n_dropped_`` the rest. ``label_scale_`` is the standard deviation of the
  fitted labels, the unit of confidence.
* ``predict``: scores every row the model can score (by default, rows with every feature
  present) and turns the model's uncertainty ``u`` into a confidence ``s / (s + u)`` (see
  :mod:`microfolio.signals.forecast.scores`).

``context_sessions`` is how many sessions before a scored date ``predict`` reads (0 for models
that score each row alone; ``lookback - 1`` for the LSTM), so callers that predict a window of
dates hand it that much earlier history.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import DataFormatError, MicrofolioError
from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast._checks import check_features, check_labels
from microfolio.signals.forecast.scores import ForecastScores, confidence_from_uncertainty

__all__ = ["BaseForecaster", "Forecaster", "LinearlyExplained"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


@runtime_checkable
class Forecaster(Protocol):
    """Anything that learns to score (date, ticker) rows of features against a forward label."""

    @property
    def model_id(self) -> str: ...

    @property
    def context_sessions(self) -> int: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def fit(self, X: FeatureFrame, y: pd.Series) -> Self: ...  # noqa: N803 (scikit-learn name)

    def predict(self, X: FeatureFrame) -> ForecastScores: ...  # noqa: N803 (scikit-learn name)


@runtime_checkable
class LinearlyExplained(Protocol):
    """A forecaster whose score is exactly ``intercept + sum of per-feature contributions``."""

    def linear_contributions(self, X: FeatureFrame) -> tuple[pd.DataFrame, float]:  # noqa: N803 (scikit-learn name)
        """Per scored row and feature, the feature's contribution; and the intercept."""
        ...


class BaseForecaster(BaseEstimator, ABC):  # type: ignore[misc]
    """Shared fit/predict plumbing; subclasses implement ``_check_params``, ``_fit`` and
    ``_predict`` (and may widen ``_usable``)."""

    model_id: ClassVar[str] = "forecaster"

    features_: tuple[str, ...]
    n_train_: int
    n_dropped_: int
    label_scale_: float

    @property
    def context_sessions(self) -> int:
        return 0

    def fit(self, X: FeatureFrame, y: pd.Series) -> Self:  # noqa: N803 (scikit-learn name)
        """Fit on the rows of ``X`` that have a label and that the model can use."""
        self._check_params()
        frame = check_features(X)
        labels = check_labels(y, _multi(frame))
        train = self._usable(frame) & ~np.isnan(labels)
        n_train = int(train.sum())
        if n_train < 2:
            raise DataFormatError(
                f"X and y have {n_train} usable rows with a label out of {len(frame)}: "
                "need at least 2"
            )
        scale = float(np.std(labels[train], ddof=1))
        if not scale > 0.0:
            raise DataFormatError("y is constant over the usable rows: there is nothing to learn")
        self.features_ = tuple(X.names)
        self.label_scale_ = scale
        self._fit(frame, labels, train)
        self.n_train_ = n_train
        self.n_dropped_ = len(frame) - n_train
        return self

    def predict(self, X: FeatureFrame) -> ForecastScores:  # noqa: N803 (scikit-learn name)
        """Scores for every row of ``X`` the model can score (see the class)."""
        self._require_fitted()
        frame = check_features(X, self.features_)
        usable = self._usable(frame)
        if not usable.any():
            raise DataFormatError(
                f"X has no row that {type(self).__name__} can score among {len(frame)} "
                "(every row misses a feature)"
            )
        scores, uncertainty = self._predict(frame, usable)
        index = frame.index[usable]
        score_series = pd.Series(np.asarray(scores, dtype=np.float64), index=index, name="score")
        confidence = confidence_from_uncertainty(uncertainty, self.label_scale_)
        if np.ndim(confidence) == 0:
            dates = pd.DatetimeIndex(index.unique(level=INDEX_NAMES[0]), name=INDEX_NAMES[0])
            conf = pd.Series(float(confidence), index=dates, name="confidence")
        else:
            conf = pd.Series(confidence, index=index, name="confidence")
        return ForecastScores(score_series, conf, self.model_id, self.get_params(deep=False))

    def _require_fitted(self) -> None:
        if not hasattr(self, "n_train_"):
            raise MicrofolioError(
                f"{type(self).__name__} is not fitted: call fit(X, y) before predict"
            )

    def _usable(self, frame: pd.DataFrame) -> Mask:
        """Rows the model can fit on or score: by default those with every feature present."""
        mask: Mask = ~np.isnan(frame.to_numpy(dtype=np.float64)).any(axis=1)
        return mask

    @abstractmethod
    def _check_params(self) -> None:
        """Refuse bad parameters (one line naming the parameter and the value)."""

    @abstractmethod
    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        """Learn from the rows of ``frame`` where ``train`` holds (their labels: ``labels``)."""

    @abstractmethod
    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        """Scores of the ``usable`` rows and the uncertainty ``u`` in label units: an array per
        row, or one number for every date (confidence per date)."""


def _multi(frame: pd.DataFrame) -> pd.MultiIndex:
    index = frame.index
    assert isinstance(index, pd.MultiIndex)
    return index
