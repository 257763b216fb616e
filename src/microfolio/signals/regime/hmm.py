"""A Gaussian hidden Markov model of the market, read with filtered probabilities only.

:class:`HmmRegime` fits hmmlearn's ``GaussianHMM`` (2 or 3 states, fixed ``random_state``) on
daily market returns in percent and/or the log of their trailing ``vol_window`` standard
deviation (``features``). After each fit the states are sorted by their fitted return variance,
ascending (by the mean log volatility when returns are not a feature), and named calm,
(volatile,) stressed: with 2 states the quieter is calm and the other stressed. So a label means
the same thing after every refit, whatever order the EM run found the states in.

Only **filtered** probabilities are used: ``P(state_t | x_1 .. x_t)``, the forward recursion
run with the fitted parameters from the stationary distribution of the transition matrix. The
smoothed posteriors (``GaussianHMM.predict_proba``) and the Viterbi path condition on the whole
sample and so look ahead; they are never used. :meth:`HmmRegime.regimes` walks forward: every
``refit_every`` rows it fits a fresh model on the rows up to and including that date, and labels
each date until the next refit with the filtered probabilities of that model on the rows up to
that date. Nothing after ``t`` reaches the label of ``t``.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import solve_triangular
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from microfolio.errors import InvariantError
from microfolio.signals.regime._checks import check_count, check_returns
from microfolio.signals.regime.labels import REGIMES, Regime

__all__ = ["HMM_FEATURES", "HmmRegime"]

Floats = npt.NDArray[np.float64]

#: what the model can read: the daily return and the log trailing volatility, both in percent
HMM_FEATURES: tuple[str, ...] = ("return", "log_vol")
_COVARIANCE_TYPES: tuple[str, ...] = ("full", "diag")
_NAMES: dict[int, tuple[Regime, ...]] = {
    2: (Regime.CALM, Regime.STRESSED),
    3: (Regime.CALM, Regime.VOLATILE, Regime.STRESSED),
}


class HmmRegime(BaseEstimator):  # type: ignore[misc]
    """Calm, volatile or stressed from a Gaussian HMM's filtered state probabilities.

    Parameters: ``n_states`` (2 or 3), ``features`` (a non-empty subset of
    :data:`HMM_FEATURES`, in that order), ``vol_window`` (sessions of the ``log_vol`` feature),
    ``covariance_type`` (``"full"`` or ``"diag"``), ``n_iter`` and ``tol`` of EM, ``min_covar``
    (floor on the variances, in percent squared), ``min_train`` (rows a fit needs: also where
    the walk-forward starts), ``random_state`` (seed of the k-means start: fixed, so a fit is
    deterministic), ``warm_start`` (start EM from the fitted parameters when already fitted,
    instead of k-means: in the walk-forward each refit starts from the one before, which
    converges in a few iterations to what a cold fit finds, at a fraction of the cost; still
    point in time, as the earlier fit read earlier data only).
    """

    #: the fitted parameters, states sorted calm first (see the module doc)
    startprob_: Floats
    transmat_: Floats
    means_: Floats
    covars_: Floats
    #: the regime of each state, in state order
    regimes_: tuple[Regime, ...]
    #: whether EM converged within ``n_iter``, and the training log-likelihood
    converged_: bool
    log_likelihood_: float
    #: rows of the design fitted on, and the last date among them
    n_observations_: int
    origin_: pd.Timestamp

    def __init__(
        self,
        n_states: int = 3,
        features: tuple[str, ...] = ("return",),
        vol_window: int = 21,
        covariance_type: str = "full",
        n_iter: int = 50,
        tol: float = 1e-3,
        min_covar: float = 1e-3,
        min_train: int = 504,
        random_state: int = 0,
        warm_start: bool = True,
    ) -> None:
        self.n_states = n_states
        self.features = features
        self.vol_window = vol_window
        self.covariance_type = covariance_type
        self.n_iter = n_iter
        self.tol = tol
        self.min_covar = min_covar
        self.min_train = min_train
        self.random_state = random_state
        self.warm_start = warm_start

    # -- the contract ---------------------------------------------------------------------------

    def min_observations(self) -> int:
        """Returns a fit needs: ``min_train`` rows of the design, after any volatility window."""
        self._check_params()
        return self.min_train + self._warmup()

    def fit(self, returns: pd.Series, y: object = None) -> Self:
        """Fit on daily market returns up to the origin ``t`` (the last row) and sort the states."""
        self._check_params()
        check_returns(returns, self.min_observations())
        design = self._design(returns)
        values = design.to_numpy()
        fitted = getattr(self, "means_", None)
        shape = (self.n_states, len(self.features))
        model = self._model(warm=self.warm_start and fitted is not None and fitted.shape == shape)
        model.fit(values)
        history = list(model.monitor_.history)
        order = np.argsort(self._order_key(model), kind="stable")
        self.startprob_ = np.asarray(model.startprob_, dtype=np.float64)[order]
        self.transmat_ = np.asarray(model.transmat_, dtype=np.float64)[np.ix_(order, order)]
        self.means_ = np.asarray(model.means_, dtype=np.float64)[order]
        self.covars_ = np.asarray(model.covars_, dtype=np.float64)[order]
        self.regimes_ = _NAMES[self.n_states]
        self.converged_ = len(history) >= 2 and history[-1] - history[-2] < self.tol
        self.log_likelihood_ = float(model.score(values))
        self.n_observations_ = len(design)
        self.origin_ = pd.Timestamp(design.index[-1])
        return self

    def predict_proba(self, returns: pd.Series) -> pd.DataFrame:
        """Filtered probabilities ``P(regime_t | returns <= t)`` for every date of the design:
        one column per :class:`Regime` (calm, volatile, stressed; a regime the model has no
        state for is 0). The row of ``t`` reads returns ``<= t`` only."""
        check_is_fitted(self, "transmat_")
        check_returns(returns, self._warmup() + 1)
        design = self._design(returns)
        filtered = self._filter(design.to_numpy())
        return self._by_regime(filtered, design.index)

    def predict(self, returns: pd.Series) -> pd.Series:
        """The most probable regime of each date under the filtered probabilities."""
        return _argmax(self.predict_proba(returns))

    def regime_probabilities(self, returns: pd.Series, refit_every: int = 63) -> pd.DataFrame:
        """Walk-forward filtered probabilities (module doc): from the ``min_train``-th row of
        the design on, the row of ``t`` comes from a model fitted on rows ``<= t`` at the last
        refit on or before ``t``. Refits are every ``refit_every`` rows counted from the first
        fit, so the schedule depends only on the start of ``returns``. Leaves ``self`` as is."""
        self._check_params()
        step = check_count("refit_every", refit_every, 1)
        check_returns(returns, self.min_observations())
        design = self._design(returns)
        values = design.to_numpy()
        origins = list(range(self.min_train - 1, len(design), step))
        pieces: list[Floats] = []
        model: HmmRegime = clone(self)  # unfitted: the first fit starts from k-means
        for k, origin in enumerate(origins):
            end = origins[k + 1] if k + 1 < len(origins) else len(design)
            model.fit(returns.loc[: design.index[origin]])
            pieces.append(model._filter(values[:end])[origin:end])
        dates = design.index[origins[0] :]
        return self._by_regime(np.vstack(pieces), dates)

    def regimes(self, returns: pd.Series, refit_every: int = 63) -> pd.Series:
        """The walk-forward label of every date from the ``min_train``-th row of the design:
        the most probable regime under :meth:`regime_probabilities`."""
        return _argmax(self.regime_probabilities(returns, refit_every))

    # -- the parts ------------------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.n_states not in _NAMES:
            raise InvariantError(f"n_states must be 2 or 3, got {self.n_states!r}")
        features = self.features
        if (
            not isinstance(features, tuple)
            or not features
            or any(f not in HMM_FEATURES for f in features)
            or list(features) != [f for f in HMM_FEATURES if f in features]
        ):
            raise InvariantError(
                f"features must be a non-empty ordered subset of {HMM_FEATURES}, got {features!r}"
            )
        check_count("vol_window", self.vol_window, 2)
        if self.covariance_type not in _COVARIANCE_TYPES:
            raise InvariantError(
                f"covariance_type must be one of {', '.join(_COVARIANCE_TYPES)}; "
                f"got {self.covariance_type!r}"
            )
        check_count("n_iter", self.n_iter, 1)
        for name in ("tol", "min_covar"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InvariantError(f"{name} must be a positive number, got {value!r}")
        check_count("min_train", self.min_train, 10 * self.n_states)
        check_count("random_state", self.random_state, 0)
        if not isinstance(self.warm_start, bool):
            raise InvariantError(f"warm_start must be True or False, got {self.warm_start!r}")

    def _model(self, warm: bool) -> Any:
        """A GaussianHMM to fit: from k-means, or from the fitted parameters when ``warm``."""
        try:  # imported on first use: the rest of the package works without hmmlearn
            from hmmlearn.hmm import GaussianHMM  # type: ignore[import-untyped]
        except ImportError:
            raise ImportError("HmmRegime needs hmmlearn: pip install 'hmmlearn>=0.3'") from None
        model = GaussianHMM(
            n_components=self.n_states,
            covariance_type=self.covariance_type,
            min_covar=self.min_covar,
            n_iter=self.n_iter,
            tol=self.tol,
            random_state=self.random_state,
            init_params="" if warm else "stmc",
        )
        if warm:
            model.startprob_ = self.startprob_
            model.transmat_ = self.transmat_
            model.means_ = self.means_
            full = self.covars_
            model.covars_ = full if self.covariance_type == "full" else np.diagonal(full, 0, 1, 2)
        return model

    def _warmup(self) -> int:
        """Leading returns with no design row (the volatility window is filling)."""
        return self.vol_window - 1 if "log_vol" in self.features else 0

    def _design(self, returns: pd.Series) -> pd.DataFrame:
        """The rows the model reads, from the first with every feature: percent units."""
        percent = returns.astype(float) * 100.0
        columns: dict[str, pd.Series] = {}
        if "return" in self.features:
            columns["return"] = percent
        if "log_vol" in self.features:
            std = percent.rolling(self.vol_window, min_periods=self.vol_window).std()
            columns["log_vol"] = np.log(std.clip(lower=1e-8))
        return pd.DataFrame(columns).iloc[self._warmup() :]

    def _order_key(self, model: Any) -> Floats:
        """Return variance per state; the mean log volatility when returns are not read."""
        if "return" in self.features:
            return np.asarray(model.covars_, dtype=np.float64)[:, 0, 0]
        return np.asarray(model.means_, dtype=np.float64)[:, 0]

    def _filter(self, values: Floats) -> Floats:
        """The forward recursion: row ``t`` is ``P(state_t | rows <= t)``, states in order."""
        log_density = _log_densities(values, self.means_, self.covars_)
        # each row's densities up to a factor, which the normalisation below cancels
        density = np.exp(log_density - log_density.max(axis=1, keepdims=True))
        transmat = self.transmat_
        prior = _stationary(transmat)
        out: Floats = np.empty_like(density)
        for t in range(len(density)):
            weights = prior * density[t]
            total = weights.sum()
            if not total > 0.0:  # the data rule out every state the prior allows: trust the data
                weights = density[t]
                total = weights.sum()
            out[t] = weights / total
            prior = out[t] @ transmat
        return out

    def _by_regime(self, filtered: Floats, dates: pd.Index) -> pd.DataFrame:
        """State probabilities as one column per regime (0 where no state has the regime)."""
        columns = {str(r): np.zeros(len(dates)) for r in REGIMES}
        for state, regime in enumerate(_NAMES[self.n_states]):
            columns[str(regime)] = filtered[:, state]
        return pd.DataFrame(columns, index=dates)


def _argmax(probabilities: pd.DataFrame) -> pd.Series:
    codes = probabilities.to_numpy().argmax(axis=1)
    labels = [REGIMES[code] for code in codes]
    return pd.Series(labels, index=probabilities.index, name="regime", dtype=object)


def _log_densities(values: Floats, means: Floats, covars: Floats) -> Floats:
    """Gaussian log-density of each row under each state: shape (rows, states)."""
    rows, dims = values.shape
    out = np.empty((rows, len(means)))
    for state, (mean, covar) in enumerate(zip(means, covars, strict=True)):
        chol = np.linalg.cholesky(covar)
        z = solve_triangular(chol, (values - mean).T, lower=True)
        log_det = 2.0 * float(np.log(np.diag(chol)).sum())
        out[:, state] = -0.5 * (dims * math.log(2.0 * math.pi) + log_det + (z * z).sum(axis=0))
    return out


def _stationary(transmat: Floats) -> Floats:
    """The stationary distribution of a transition matrix (uniform if it has none clean)."""
    k = len(transmat)
    system = np.vstack([transmat.T - np.eye(k), np.ones((1, k))])
    target = np.zeros(k + 1)
    target[-1] = 1.0
    solution = np.linalg.lstsq(system, target, rcond=None)[0].clip(min=0.0)
    total = float(solution.sum())
    if not (math.isfinite(total) and total > 0.0):
        return np.full(k, 1.0 / k)
    return np.asarray(solution / total, dtype=np.float64)
