"""GARCH(1,1) and GJR-GARCH(1,1,1) volatility, estimated by (quasi) maximum likelihood in ``arch``.

The daily variance follows (Bollerslev 1986; Glosten, Jagannathan & Runkle 1993)::

    s2[t] = omega + (alpha + gamma * 1[e[t-1] < 0]) * e[t-1]**2 + beta * s2[t-1]

with ``gamma = 0`` for plain GARCH. Returns are multiplied by 100 before fitting, as ``arch``
recommends for its optimiser, and the results are scaled back, so every published number is in
daily decimal units. Multi-step forecasts are ``arch``'s analytic ones, which revert
geometrically at rate ``persistence = alpha + beta + gamma / 2`` to the unconditional variance
``omega / (1 - persistence)``.

``update`` keeps the fitted parameters and runs the filter over the new history (``arch``'s
fixed-parameter model), so between refits a walk-forward run only pays for one recursion.
"""

from __future__ import annotations

import math
import warnings
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from arch import arch_model
from arch.univariate.base import ARCHModelFixedResult
from arch.univariate.mean import HARX
from arch.utility.exceptions import ConvergenceWarning, DataScaleWarning

from microfolio.signals.volatility._checks import check_choice
from microfolio.signals.volatility.base import VolatilityForecaster

__all__ = ["GarchVol", "GjrGarchVol"]

Floats = npt.NDArray[np.float64]

#: returns are fitted in percent: arch's optimiser is tuned for variances near one
_SCALE = 100.0
_DISTRIBUTIONS = ("normal", "t")
_MEANS = ("zero", "constant")


class _ArchVol(VolatilityForecaster):
    """Shared fit of the ``arch`` GARCH family; subclasses set the asymmetry order ``_o``."""

    _o: ClassVar[int] = 0

    dist: Literal["normal", "t"]
    mean: Literal["zero", "constant"]

    #: fitted parameters in ``arch``'s names, on returns in percent
    params_: pd.Series
    omega_: float  #: constant of the variance equation, daily decimal units
    alpha_: float
    gamma_: float
    beta_: float
    persistence_: float  #: alpha + beta + gamma / 2
    unconditional_variance_: float  #: daily; infinite when persistence >= 1
    converged_: bool  #: whether arch's optimiser reported success
    loglikelihood_: float
    result_: ARCHModelFixedResult  #: the filtered model at the origin (forecasts come from it)

    def min_observations(self) -> int:
        return 100

    def _check_params(self) -> None:
        check_choice("dist", self.dist, _DISTRIBUTIONS)
        check_choice("mean", self.mean, _MEANS)

    def _model(self, returns: Floats) -> HARX:
        return arch_model(
            returns * _SCALE,
            mean="Zero" if self.mean == "zero" else "Constant",
            vol="GARCH",
            p=1,
            o=self._o,
            q=1,
            dist="t" if self.dist == "t" else "normal",
            rescale=False,
        )

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", DataScaleWarning)
            result = self._model(returns).fit(disp="off", show_warning=False)
        params = result.params
        omega = float(params["omega"]) / _SCALE**2
        alpha = float(params["alpha[1]"])
        gamma = float(params["gamma[1]"]) if self._o else 0.0
        beta = float(params["beta[1]"])
        persistence = alpha + beta + 0.5 * gamma
        self.params_ = params
        self.omega_, self.alpha_, self.gamma_, self.beta_ = omega, alpha, gamma, beta
        self.persistence_ = persistence
        self.unconditional_variance_ = (
            omega / (1.0 - persistence) if persistence < 1.0 else math.inf
        )
        self.converged_ = int(result.convergence_flag) == 0
        self.loglikelihood_ = float(result.loglikelihood)
        self.result_ = result

    def _update(self, returns: Floats, proxy: Floats | None) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataScaleWarning)
            self.result_ = self._model(returns).fix(self.params_.to_numpy())

    def _variance_path(self, horizon: int) -> Floats:
        forecast = self.result_.forecast(horizon=horizon, reindex=False)
        path: Floats = forecast.variance.to_numpy(dtype=np.float64)[-1] / _SCALE**2
        return path


class GarchVol(_ArchVol):
    """GARCH(1,1) volatility; ``dist`` is ``"normal"`` (quasi-ML) or ``"t"`` (Student-t) and
    ``mean`` is ``"zero"`` (the default, matching a squared-return target) or ``"constant"``."""

    _o = 0

    def __init__(
        self, dist: Literal["normal", "t"] = "normal", mean: Literal["zero", "constant"] = "zero"
    ) -> None:
        self.dist = dist
        self.mean = mean


class GjrGarchVol(_ArchVol):
    """GJR-GARCH(1,1,1) volatility: GARCH plus ``gamma``, the extra response to falls (the
    leverage effect); parameters as :class:`GarchVol`."""

    _o = 1

    def __init__(
        self, dist: Literal["normal", "t"] = "normal", mean: Literal["zero", "constant"] = "zero"
    ) -> None:
        self.dist = dist
        self.mean = mean
