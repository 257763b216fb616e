"""A penalised linear forecaster: scikit-learn's ElasticNet on standardised features.

The model is a ``Pipeline(StandardScaler, ElasticNet)`` fitted on the complete training rows;
with ``zscore_by_date`` the features are first z-scored within each date's cross-section (see
:mod:`microfolio.signals.forecast.zscore`), so the model ranks tickers on where they stand that
day rather than on market-wide levels.

Confidence (per date): ``u`` is the validation residual dispersion, the RMSE on the last
``validation_fraction`` of the training dates of a model fitted on the dates before them less a
``horizon``-session gap (:mod:`microfolio.signals.forecast._holdout`); the final model is then
refitted on every training row.

Explanation: the score is exactly ``intercept_ + sum_j coef_j * z_j`` with ``z_j`` the
standardised value of feature ``j`` (:meth:`ElasticNetForecaster.linear_contributions`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from microfolio.features import INDEX_NAMES, FeatureFrame
from microfolio.signals.forecast._checks import (
    check_bool,
    check_count,
    check_features,
    check_fraction,
    check_positive,
)
from microfolio.signals.forecast._holdout import holdout_rmse
from microfolio.signals.forecast.base import BaseForecaster
from microfolio.signals.forecast.zscore import model_inputs

__all__ = ["ElasticNetForecaster"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


class ElasticNetForecaster(BaseForecaster):
    """ElasticNet regression of the label on standardised features (see the module).

    Learned state: ``pipeline_`` (the fitted scikit-learn pipeline), ``coef_`` (per feature, on
    the standardised scale), ``intercept_``, ``validation_rmse_`` (NaN when the training window
    is too short to hold out a validation block) plus the base's ``features_``, ``n_train_``,
    ``n_dropped_`` and ``label_scale_``.
    """

    model_id: ClassVar[str] = "elastic_net"

    pipeline_: Pipeline
    coef_: pd.Series
    intercept_: float
    validation_rmse_: float

    def __init__(
        self,
        alpha: float = 1e-4,
        l1_ratio: float = 0.5,
        zscore_by_date: bool = False,
        max_iter: int = 5000,
        validation_fraction: float = 0.2,
        horizon: int = 21,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.zscore_by_date = zscore_by_date
        self.max_iter = max_iter
        self.validation_fraction = validation_fraction
        self.horizon = horizon

    def _check_params(self) -> None:
        check_positive("alpha", self.alpha)
        check_fraction("l1_ratio", self.l1_ratio, closed_right=True)
        check_bool("zscore_by_date", self.zscore_by_date)
        check_count("max_iter", self.max_iter, 1)
        check_fraction("validation_fraction", self.validation_fraction)
        check_count("horizon", self.horizon, 1)

    def _make(self) -> Pipeline:
        return Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "model",
                    ElasticNet(
                        alpha=float(self.alpha),
                        l1_ratio=float(self.l1_ratio),
                        max_iter=int(self.max_iter),
                        selection="cyclic",
                    ),
                ),
            ]
        )

    def _inputs(self, frame: pd.DataFrame) -> pd.DataFrame:
        return model_inputs(frame, bool(self.zscore_by_date))

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        x = self._inputs(frame).to_numpy(dtype=np.float64)[train]
        y = labels[train]
        dates = frame.index.get_level_values(INDEX_NAMES[0]).to_numpy()[train]

        def fit_predict(x_fit: Floats, y_fit: Floats, x_valid: Floats) -> Floats:
            predicted: Floats = self._make().fit(x_fit, y_fit).predict(x_valid)
            return predicted

        rmse = holdout_rmse(
            fit_predict, x, y, dates, float(self.validation_fraction), int(self.horizon)
        )
        pipeline = self._make().fit(x, y)
        model = pipeline.named_steps["model"]
        self.pipeline_ = pipeline
        self.coef_ = pd.Series(
            np.asarray(model.coef_, dtype=np.float64), index=list(frame.columns), name="coef"
        )
        self.intercept_ = float(model.intercept_)
        self.validation_rmse_ = rmse

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        x = self._inputs(frame).to_numpy(dtype=np.float64)[usable]
        scores: Floats = np.asarray(self.pipeline_.predict(x), dtype=np.float64)
        rmse = self.validation_rmse_
        return scores, (self.label_scale_ if np.isnan(rmse) else rmse)

    def _standardised(self, frame: pd.DataFrame, usable: Mask) -> Floats:
        x = self._inputs(frame).to_numpy(dtype=np.float64)[usable]
        z: Floats = np.asarray(self.pipeline_.named_steps["scale"].transform(x), dtype=np.float64)
        return z

    def linear_contributions(self, X: FeatureFrame) -> tuple[pd.DataFrame, float]:  # noqa: N803 (scikit-learn name)
        """Per row ``X`` can be scored on, ``coef_j * z_j`` for every feature ``j``; and the
        intercept. Each row sums to its score minus the intercept."""
        self._require_fitted()
        frame = check_features(X, self.features_)
        usable = self._usable(frame)
        z = self._standardised(frame, usable)
        values = z * self.coef_.to_numpy(dtype=np.float64)[None, :]
        contributions = pd.DataFrame(values, index=frame.index[usable], columns=frame.columns)
        return contributions, self.intercept_
