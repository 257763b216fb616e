"""A gradient boosting forecaster: LightGBM's LGBMRegressor on the raw features.

With ``zscore_by_date`` the features are z-scored within each date's cross-section first (see
:mod:`microfolio.signals.forecast.zscore`). LightGBM is an optional dependency, imported only when a model is fitted. Fits run on one
thread with ``deterministic=True`` and row-wise histograms under a fixed ``random_state``, so
every fit repeats exactly. The defaults are small and regularised for noisy return labels:
shallow trees with large leaves, a slow learning rate, row and column subsampling.

Confidence (per date): ``u`` is the validation residual dispersion, the RMSE on the last
``validation_fraction`` of the training dates of a model fitted on the dates before them less a
``horizon``-session gap (:mod:`microfolio.signals.forecast._holdout`); the final model is then
refitted on every training row.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import MicrofolioError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast._checks import (
    check_bool,
    check_count,
    check_fraction,
    check_non_negative,
    check_positive,
    check_share,
)
from microfolio.signals.forecast._holdout import holdout_rmse
from microfolio.signals.forecast.base import BaseForecaster
from microfolio.signals.forecast.zscore import model_inputs

if TYPE_CHECKING:
    from lightgbm import LGBMRegressor

__all__ = ["GradientBoostingForecaster"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


class GradientBoostingForecaster(BaseForecaster):
    """LightGBM regression of the label on the features (see the module).

    Learned state: ``model_`` (the fitted LGBMRegressor), ``validation_rmse_`` (NaN when the
    training window is too short to hold out a validation block) plus the base's attributes.
    """

    model_id: ClassVar[str] = "gradient_boosting"

    model_: LGBMRegressor
    validation_rmse_: float

    def __init__(
        self,
        n_estimators: int = 200,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        min_child_samples: int = 200,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        validation_fraction: float = 0.2,
        horizon: int = 21,
        zscore_by_date: bool = False,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.validation_fraction = validation_fraction
        self.horizon = horizon
        self.zscore_by_date = zscore_by_date
        self.random_state = random_state

    def _check_params(self) -> None:
        check_count("n_estimators", self.n_estimators, 1)
        check_positive("learning_rate", self.learning_rate)
        check_count("num_leaves", self.num_leaves, 2)
        check_count("min_child_samples", self.min_child_samples, 1)
        check_share("subsample", self.subsample)
        check_share("colsample_bytree", self.colsample_bytree)
        check_non_negative("reg_lambda", self.reg_lambda)
        check_fraction("validation_fraction", self.validation_fraction)
        check_count("horizon", self.horizon, 1)
        check_bool("zscore_by_date", self.zscore_by_date)
        check_count("random_state", self.random_state, 0)
        if importlib.util.find_spec("lightgbm") is None:
            raise MicrofolioError(
                "GradientBoostingForecaster needs LightGBM, which is not installed: "
                "pip install lightgbm"
            )

    def _make(self) -> Any:
        from lightgbm import LGBMRegressor

        return LGBMRegressor(
            n_estimators=int(self.n_estimators),
            learning_rate=float(self.learning_rate),
            num_leaves=int(self.num_leaves),
            min_child_samples=int(self.min_child_samples),
            subsample=float(self.subsample),
            subsample_freq=1,
            colsample_bytree=float(self.colsample_bytree),
            reg_lambda=float(self.reg_lambda),
            random_state=int(self.random_state),
            n_jobs=1,
            num_threads=1,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        )

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        x = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)[train]
        y = labels[train]
        dates = frame.index.get_level_values(INDEX_NAMES[0]).to_numpy()[train]

        def fit_predict(x_fit: Floats, y_fit: Floats, x_valid: Floats) -> Floats:
            predicted: Floats = np.asarray(
                self._make().fit(x_fit, y_fit).predict(x_valid), dtype=np.float64
            )
            return predicted

        rmse = holdout_rmse(
            fit_predict, x, y, dates, float(self.validation_fraction), int(self.horizon)
        )
        self.model_ = self._make().fit(x, y)
        self.validation_rmse_ = rmse

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        x = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)[usable]
        scores: Floats = np.asarray(self.model_.predict(x), dtype=np.float64)
        rmse = self.validation_rmse_
        return scores, (self.label_scale_ if np.isnan(rmse) else rmse)
