"""Is a Sharpe ratio real? The probabilistic and the deflated Sharpe ratio.

After Bailey and López de Prado, "The Sharpe Ratio Efficient Frontier" (2012) for the
probabilistic Sharpe ratio (PSR) and "The Deflated Sharpe Ratio: Correcting for Selection Bias,
Backtest Overfitting and Non-Normality" (2014) for the deflated one (DSR).

Units, in one place:

* every Sharpe ratio here is **per period** (per observation: daily returns give a daily Sharpe
  ratio), never annualised. Divide an annualised ratio by ``sqrt(periods per year)`` first.
  Mixing the two is the classic mistake: it inflates the statistic by ``sqrt(252)``.
* ``sr = mean / std`` of the returns you pass (``std`` with ``ddof=1``); pass returns in excess
  of the risk-free rate when that matters.
* ``skew`` (g3) and ``kurtosis`` (g4) are the sample moments ``m3 / m2**1.5`` and ``m4 / m2**2``
  (central moments with divisor ``n``: ``scipy.stats.skew`` and ``scipy.stats.kurtosis(...,
  fisher=False)`` with their default ``bias=True``). Kurtosis is **not** excess: normal is 3.
* ``n`` is the number of return observations (at least 3).
* results are probabilities in [0, 1]: the confidence that the true Sharpe ratio exceeds the
  benchmark.

Formulas as implemented:

* PSR(SR*) = Phi( (SR - SR*) sqrt(n - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2) ).
* E[max SR] over N independent trials whose Sharpe ratios have variance V across trials:
  sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))), gamma the Euler-Mascheroni
  constant; 0 for a single trial (nothing was selected).
* DSR = PSR(SR0) with SR0 = E[max SR] for N = the number of trials and V = their sample
  variance (``ddof=1``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import norm

from microfolio.errors import DataFormatError, InvariantError

__all__ = [
    "EULER_GAMMA",
    "DeflatedSharpe",
    "SharpeMoments",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "probabilistic_sharpe_ratio",
]

#: the Euler-Mascheroni constant
EULER_GAMMA = 0.5772156649015329
#: a standard deviation this small relative to the returns' size is a constant series
_FLAT = 1e-12

Returns = pd.Series | Sequence[float] | npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class SharpeMoments:
    """What the PSR needs of a return series: per-period Sharpe ratio, length and shape.

    ``kurtosis`` is non-excess (normal = 3). Every distribution has ``kurtosis >= 1 + skew**2``
    (a sample's own moments too), so a pair below that bound is refused as impossible.
    """

    sr: float  #: per-period Sharpe ratio: mean over standard deviation (ddof=1)
    n: int  #: number of observations, >= 3
    skew: float = 0.0
    kurtosis: float = 3.0

    def __post_init__(self) -> None:
        n = _int("n", self.n, InvariantError)
        if n < 3:
            raise InvariantError(f"n must be >= 3 observations, got {n}")
        for name in ("sr", "skew", "kurtosis"):
            number = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int | float | np.floating):
                raise InvariantError(f"{name} must be a number, got {number!r}")
            if not math.isfinite(number):
                raise InvariantError(f"{name} must be finite, got {number}")
        bound = 1.0 + self.skew**2
        if self.kurtosis < bound - 1e-9 * bound:
            raise InvariantError(
                f"kurtosis must be >= 1 + skew**2 = {bound:g} (non-excess, normal = 3), "
                f"got {self.kurtosis:g}"
            )

    @classmethod
    def from_returns(cls, returns: Returns) -> SharpeMoments:
        """Moments of a return series (see the module docstring for the estimators)."""
        r = _returns(returns)
        mean = float(np.mean(r))
        centred = r - mean
        m2 = float(np.mean(centred**2))
        sd = float(np.std(r, ddof=1))
        if sd <= _FLAT * max(float(np.max(np.abs(r))), _FLAT):
            raise DataFormatError(
                f"returns are constant ({mean:g} on all {r.size} observations): "
                "the Sharpe ratio is undefined"
            )
        m3 = float(np.mean(centred**3))
        m4 = float(np.mean(centred**4))
        return cls(sr=mean / sd, n=int(r.size), skew=m3 / m2**1.5, kurtosis=m4 / m2**2)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeflatedSharpe:
    """The deflated Sharpe ratio of one selected strategy, with what went into it.

    ``dsr`` is the probability that the strategy's true Sharpe ratio exceeds ``sr0``, the Sharpe
    ratio the best of ``n_trials`` skill-less trials is expected to reach. Ratios are per period.
    """

    dsr: float  #: probability in [0, 1]; 0.95 or more is the usual bar
    sr: float  #: observed per-period Sharpe ratio of the selected strategy
    sr0: float  #: threshold: expected maximum per-period Sharpe ratio of the trials
    n: int  #: observations in the selected strategy's returns
    skew: float
    kurtosis: float  #: non-excess (normal = 3)
    n_trials: int  #: strategies tried, this one included
    var_trials: float  #: sample variance (ddof=1) of the trials' Sharpe ratios; NaN for one trial

    def __post_init__(self) -> None:
        if not 0.0 <= self.dsr <= 1.0:
            raise InvariantError(f"dsr must be a probability in [0, 1], got {self.dsr}")
        if self.n_trials < 1:
            raise InvariantError(f"n_trials must be >= 1, got {self.n_trials}")
        if self.n < 3:
            raise InvariantError(f"n must be >= 3, got {self.n}")


def probabilistic_sharpe_ratio(
    returns: Returns | SharpeMoments, benchmark_sr: float = 0.0
) -> float:
    """P(true Sharpe ratio > ``benchmark_sr``), both per period.

    ``returns`` is a return series (at least 3 observations, no NaN, not constant) or its
    ``SharpeMoments`` when only the summary numbers are known.
    """
    moments = returns if isinstance(returns, SharpeMoments) else SharpeMoments.from_returns(returns)
    if not math.isfinite(benchmark_sr):
        raise DataFormatError(f"benchmark_sr must be finite (per period), got {benchmark_sr}")
    sr, g3, g4 = moments.sr, moments.skew, moments.kurtosis
    gap = sr - benchmark_sr
    variance = 1.0 - g3 * sr + (g4 - 1.0) / 4.0 * sr**2  # >= (1 - g3 sr / 2)^2 >= 0
    if variance <= _FLAT:  # only at the boundary kurtosis = 1 + skew^2: no sampling noise left
        return 0.5 if gap == 0.0 else float(gap > 0.0)
    z = gap * math.sqrt(moments.n - 1) / math.sqrt(variance)
    return float(norm.cdf(z))


def expected_max_sharpe(n_trials: int, var_trials: float) -> float:
    """Expected maximum of ``n_trials`` per-period Sharpe ratios of skill-less strategies.

    ``var_trials`` is the variance of the trials' per-period Sharpe ratios. A single trial
    selects nothing: its expected maximum is the null mean, 0.
    """
    n = _int("n_trials", n_trials)
    if n < 1:
        raise DataFormatError(f"n_trials must be >= 1, got {n}")
    if not (math.isfinite(var_trials) and var_trials >= 0.0):
        raise DataFormatError(f"var_trials must be finite and >= 0, got {var_trials}")
    if n == 1:
        return 0.0
    quantiles = (1.0 - EULER_GAMMA) * norm.ppf(1.0 - 1.0 / n) + EULER_GAMMA * norm.ppf(
        1.0 - 1.0 / (n * math.e)
    )
    return float(math.sqrt(var_trials) * quantiles)


def deflated_sharpe_ratio(
    returns: Returns | SharpeMoments,
    trial_sharpes: Sequence[float] | npt.NDArray[np.float64],
) -> DeflatedSharpe:
    """Deflated Sharpe ratio of the strategy selected among ``trial_sharpes``.

    ``trial_sharpes`` are the per-period Sharpe ratios of **every** strategy tried, the selected
    one included: their count is N and their sample variance is V. With one trial the DSR is
    the PSR against 0.
    """
    moments = returns if isinstance(returns, SharpeMoments) else SharpeMoments.from_returns(returns)
    trials = _trials(trial_sharpes)
    n_trials = int(trials.size)
    var_trials = float(np.var(trials, ddof=1)) if n_trials > 1 else math.nan
    sr0 = expected_max_sharpe(n_trials, var_trials) if n_trials > 1 else 0.0
    return DeflatedSharpe(
        dsr=probabilistic_sharpe_ratio(moments, benchmark_sr=sr0),
        sr=moments.sr,
        sr0=sr0,
        n=moments.n,
        skew=moments.skew,
        kurtosis=moments.kurtosis,
        n_trials=n_trials,
        var_trials=var_trials,
    )


# --- validation ---------------------------------------------------------------------------


def _returns(returns: Returns) -> npt.NDArray[np.float64]:
    labels: pd.Index | None = returns.index if isinstance(returns, pd.Series) else None
    try:
        r = np.asarray(returns, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataFormatError(
            f"returns must be numbers, got {type(returns).__name__} that is not numeric"
        ) from exc
    if r.ndim != 1:
        raise DataFormatError(f"returns must be one series (1-D), got shape {r.shape}")
    if r.size < 3:
        raise DataFormatError(f"returns must have at least 3 observations, got {r.size}")
    bad = ~np.isfinite(r)
    if bad.any():
        i = int(np.argmax(bad))
        where = _label(labels[i]) if labels is not None else f"position {i}"
        raise DataFormatError(
            f"returns[{where}] = {r[i]} is not finite: drop or fill missing returns first"
        )
    return r


def _trials(trial_sharpes: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    try:
        trials = np.asarray(trial_sharpes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataFormatError("trial_sharpes must be numbers (per-period Sharpe ratios)") from exc
    if trials.ndim != 1 or trials.size == 0:
        raise DataFormatError(
            f"trial_sharpes must be a non-empty 1-D sequence (the selected strategy included), "
            f"got shape {trials.shape}"
        )
    bad = ~np.isfinite(trials)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(f"trial_sharpes[{i}] = {trials[i]} is not finite")
    return trials


def _int(name: str, value: object, error: type[Exception] = DataFormatError) -> int:
    """An int or numpy integer, never a float or a bool."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise error(f"{name} must be an int, got {value!r}") from None
    if isinstance(value, bool):
        raise error(f"{name} must be an int, got {value!r}")
    return int(number)


def _label(label: object) -> str:
    return label.date().isoformat() if isinstance(label, pd.Timestamp) else str(label)
