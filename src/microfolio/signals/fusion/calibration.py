"""How much a source's score has been worth out of sample: slope, error and significance.

:class:`Calibration` follows the scikit-learn contract: ``fit(history, as_of, sessions)`` reads
only the pairs of a :class:`~microfolio.signals.fusion.SignalHistory` whose labels were known at
``as_of`` (:meth:`SignalHistory.known_at`), so it is point in time by construction.

Definitions (``y`` the realised label over ``horizon`` sessions, a simple return):

* ``z``: the score standardised per date across the tickers scored that date (population
  standard deviation, :func:`~microfolio.signals.forecast.cross_sectional_zscore`; a date whose
  scores are all equal gives z = 0), so scores on any scale become comparable.
* ``slope_`` ``b``: what one unit of z has been worth, in label return over ``horizon``.

  - ``slope="ic"`` (the default): Grinold's rule, expected return = IC x volatility x score
    (Grinold and Kahn, *Active Portfolio Management*, ch. 10): ``b = rho * sigma``, ``sigma``
    the pooled cross-sectional dispersion of the labels (the root of the mean over dates of
    each date's population variance) and ``rho = 2 sin(pi IC / 6)`` the Pearson correlation
    that the mean rank IC implies for Gaussian data. For Gaussian scores and labels this is the
    least-squares slope; unlike it, it cannot be turned by a few extreme returns (a single
    date of 2008 can flip a pooled least-squares slope whose rank IC is positive), and its sign
    is the sign of the IC the reports show.
  - ``slope="ols"``: the pooled least-squares fit ``y = a + b z``; as z has mean 0 on every
    date, ``b = sum(z y) / sum(z^2)``.

  ``intercept_`` ``a`` is the mean label with ``fit_intercept=True``, else 0 (the default): the
  prediction is ``a + b z``, and a cross-sectional score knows how tickers differ, not the level
  (centred views use only that part, see :mod:`~microfolio.signals.fusion.fuse`).
* ``residual_variance_`` ``s^2``: the mean squared error of the prediction,
  ``sum((y - a - b z)^2) / (n - p)`` (``p`` fitted coefficients), per horizon;
  ``ticker_variance_`` the same per ticker, shrunk towards ``s^2`` with ``variance_prior``
  pseudo-periods: ``(m_i v_i + n0 s^2) / (m_i + n0)``, ``m_i`` the ticker's non-overlapping
  label periods (its pairs over ``step_``).
* ``common_variance_`` and ``specific_variance_``: the residual split into its per-date mean
  ``c_t`` (what every ticker's prediction missed alike that date: the level, the market's
  move) and the rest ``u = e - c_t``; ``common_variance_`` is the mean of ``c_t^2`` over dates,
  ``specific_variance_`` the mean of ``u^2``, and ``ticker_specific_variance_`` the latter per
  ticker, shrunk as above. A centred view (a ticker against the mean of the others) carries
  only ``u``.
* ``spread_variance_``: the mean squared error of the top-minus-bottom ``quantile`` spread
  (the relative view's prediction ``b (mean z_top - mean z_bottom)`` against the realised
  spread of mean labels), per date.
* ``ic_``, ``ic_t_stat_``: the mean per-date Spearman IC and its t-statistic
  (:func:`~microfolio.signals.validation.information_coefficient`) over every ``step_``-th
  known date, where ``step_ = ceil(horizon / g)`` and ``g`` the median gap in sessions between
  history dates: labels ``step_`` dates apart do not overlap, so the t-statistic is not
  inflated by overlapping labels.

**No views** (``usable_`` False, ``reason_`` says why, in the order checked): no known pair;
fewer than ``min_periods`` non-overlapping label periods (``n_periods_ = n_dates_ / step_``);
scores never differ across tickers; ``slope_ <= 0`` (higher scores did not mean higher labels:
the source is not flipped, it is dropped); ``ic_t_stat_`` below ``min_t_stat`` (None disables
this last test). The statistics are still computed for reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from microfolio.errors import DataFormatError, InvariantError, MicrofolioError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast import cross_sectional_zscore
from microfolio.signals.forecast._checks import check_bool, check_count, check_non_negative
from microfolio.signals.fusion._checks import as_sessions, as_timestamp
from microfolio.signals.fusion._sides import quantile_sides
from microfolio.signals.fusion.history import SignalHistory
from microfolio.signals.validation import information_coefficient

__all__ = ["Calibration"]

_NAN = float("nan")


class Calibration(BaseEstimator):  # type: ignore[misc]
    """Calibrate one source's standardised score against its realised labels (see module).

    Parameters
    ----------
    horizon:
        the label's horizon in sessions (the ``h`` of ``forward_returns(bars, h)``).
    min_t_stat:
        the IC t-statistic a source needs to give views; None: no significance test.
    slope:
        ``"ic"`` (Grinold's rule from the rank IC, robust) or ``"ols"`` (least squares).
    fit_intercept:
        predict ``a + b z`` (True) or ``b z`` (False).
    quantile:
        the share of tickers on each side of a relative view, in (0, 0.5].
    variance_prior:
        pseudo-periods of the pooled residual variance in each ticker's (0: none).
    min_periods:
        the fewest non-overlapping label periods a source needs to give views.
    """

    source_: str
    as_of_: pd.Timestamp
    n_pairs_: int
    n_dates_: int
    step_: int
    n_periods_: float
    slope_: float
    intercept_: float
    residual_variance_: float
    ticker_variance_: pd.Series
    common_variance_: float
    specific_variance_: float
    ticker_specific_variance_: pd.Series
    spread_variance_: float
    ic_: float
    ic_t_stat_: float
    ic_dates_: int
    usable_: bool
    reason_: str

    def __init__(
        self,
        horizon: int = 21,
        min_t_stat: float | None = 2.0,
        slope: Literal["ic", "ols"] = "ic",
        fit_intercept: bool = False,
        quantile: float = 0.2,
        variance_prior: float = 10.0,
        min_periods: int = 12,
    ) -> None:
        self.horizon = horizon
        self.min_t_stat = min_t_stat
        self.slope = slope
        self.fit_intercept = fit_intercept
        self.quantile = quantile
        self.variance_prior = variance_prior
        self.min_periods = min_periods

    # -- the contract ---------------------------------------------------------------------------

    def fit(self, history: SignalHistory, as_of: object, sessions: pd.DatetimeIndex) -> Self:
        """Calibrate on the pairs of ``history`` known at ``as_of`` (labels counted in
        ``sessions``)."""
        h, threshold, prior = self._check_params()
        if not isinstance(history, SignalHistory):
            raise DataFormatError(f"history must be a SignalHistory, got {type(history).__name__}")
        day = as_timestamp("as_of", as_of)
        calendar = as_sessions(sessions)
        known = history.known_at(day, h, calendar)
        self.source_ = history.name
        self.as_of_ = day
        z = cross_sectional_zscore(known.scores.to_frame())["score"]
        y = known.labels
        dates = known.dates
        self.n_pairs_ = len(known)
        self.n_dates_ = len(dates)
        self.step_ = _step(dates, calendar, h)
        self.n_periods_ = self.n_dates_ / self.step_
        self._fit_regression(z, y, prior)
        self._fit_ic(z, y)
        self.reason_ = self._reason(threshold)
        self.usable_ = self.reason_ == ""
        return self

    def predict(self, z: pd.Series) -> pd.Series:
        """The expected label over the horizon for standardised scores ``z``: ``a + b z``."""
        self._require_fitted()
        if not isinstance(z, pd.Series):
            raise DataFormatError(f"z must be a pandas Series, got {type(z).__name__}")
        values = z.to_numpy(dtype=np.float64)
        return pd.Series(self.intercept_ + self.slope_ * values, index=z.index, name="expected")

    def variance(self, tickers: Iterable[str], specific: bool = False) -> pd.Series:
        """The residual variance per horizon of each ticker's prediction (``specific``: net of
        the per-date common part): the ticker's shrunk variance, or the pooled one for a
        ticker the history never scored."""
        self._require_fitted()
        names = pd.Index([str(t) for t in tickers], name="ticker")
        by_ticker = self.ticker_specific_variance_ if specific else self.ticker_variance_
        pooled = self.specific_variance_ if specific else self.residual_variance_
        return by_ticker.reindex(names).fillna(pooled).rename("residual_variance")

    def summary(self) -> dict[str, Any]:
        """The fitted statistics by name (for reports and logs)."""
        self._require_fitted()
        return {
            "source": self.source_,
            "as_of": self.as_of_,
            "horizon": int(self.horizon),
            "n_pairs": self.n_pairs_,
            "n_dates": self.n_dates_,
            "n_periods": self.n_periods_,
            "slope": self.slope_,
            "intercept": self.intercept_,
            "residual_variance": self.residual_variance_,
            "common_variance": self.common_variance_,
            "specific_variance": self.specific_variance_,
            "spread_variance": self.spread_variance_,
            "ic": self.ic_,
            "ic_t_stat": self.ic_t_stat_,
            "usable": self.usable_,
            "reason": self.reason_,
        }

    # -- the work -------------------------------------------------------------------------------

    def _fit_regression(self, z: pd.Series, y: pd.Series, prior: float) -> None:
        zv = z.to_numpy(dtype=np.float64)
        yv = y.to_numpy(dtype=np.float64)
        szz = float(zv @ zv)
        p = 1 + int(self.fit_intercept)
        if len(zv) <= p or szz == 0.0:
            self.slope_ = self.intercept_ = self.residual_variance_ = _NAN
            self.common_variance_ = self.specific_variance_ = self.spread_variance_ = _NAN
            self.ticker_variance_ = pd.Series(dtype=np.float64, name="residual_variance")
            self.ticker_specific_variance_ = self.ticker_variance_.copy()
            return
        b = float(zv @ yv) / szz if self.slope == "ols" else _ic_slope(z, y)
        a = float(yv.mean()) if self.fit_intercept else 0.0
        errors = yv - a - b * zv
        pooled = float(errors @ errors) / (len(zv) - p)
        residual = pd.Series(errors, index=y.index)
        by_date = residual.groupby(level=INDEX_NAMES[0], sort=False)
        specific = residual - by_date.transform("mean")
        common = by_date.mean()
        self.slope_, self.intercept_, self.residual_variance_ = b, a, pooled
        self.common_variance_ = float((common * common).mean())
        self.specific_variance_ = float((specific * specific).mean())
        self.ticker_variance_ = self._by_ticker(residual, pooled, prior)
        self.ticker_specific_variance_ = self._by_ticker(specific, self.specific_variance_, prior)
        self.spread_variance_ = self._spread_variance(z, y, b)

    def _by_ticker(self, residual: pd.Series, pooled: float, prior: float) -> pd.Series:
        """Each ticker's mean squared residual, shrunk towards ``pooled`` (see the module)."""
        squares = residual * residual
        by_ticker = squares.groupby(level=INDEX_NAMES[1], sort=True).agg(["mean", "size"])
        periods = by_ticker["size"].to_numpy(dtype=np.float64) / self.step_
        own = by_ticker["mean"].to_numpy(dtype=np.float64)
        shrunk = (periods * own + prior * pooled) / (periods + prior)
        index = pd.Index(by_ticker.index, name="ticker")
        return pd.Series(shrunk, index=index, name="residual_variance")

    def _spread_variance(self, z: pd.Series, y: pd.Series, b: float) -> float:
        top, bottom = quantile_sides(z, float(self.quantile))
        frame = pd.DataFrame({"z": z, "y": y})
        level = INDEX_NAMES[0]
        high = frame[top].groupby(level=level).mean()
        low = frame[bottom].groupby(level=level).mean()
        if high.empty:
            return _NAN
        error = (high["y"] - low["y"]) - b * (high["z"] - low["z"])
        return float((error * error).mean())

    def _fit_ic(self, z: pd.Series, y: pd.Series) -> None:
        if z.empty:
            self.ic_, self.ic_t_stat_, self.ic_dates_ = _NAN, _NAN, 0
            return
        summary = information_coefficient(z, y, every=self.step_)
        self.ic_, self.ic_t_stat_, self.ic_dates_ = summary.mean, summary.t_stat, summary.n_dates

    def _reason(self, threshold: float | None) -> str:
        day = self.as_of_.date()
        if self.n_pairs_ == 0:
            return f"no score of {self.source_} has a realised label known at {day}"
        if self.n_periods_ < self.min_periods:
            return (
                f"only {self.n_periods_:.1f} non-overlapping label periods known at {day} "
                f"(min_periods={self.min_periods})"
            )
        if math.isnan(self.slope_):
            return "scores never differ across tickers on a date: no cross-sectional signal"
        if self.slope_ <= 0.0:
            return (
                f"out-of-sample slope {self.slope_:.3g} <= 0: higher scores did not mean "
                f"higher labels"
            )
        if threshold is not None and not self.ic_t_stat_ >= threshold:
            return f"IC t-stat {self.ic_t_stat_:.2f} below min_t_stat {threshold:g}"
        return ""

    # -- checks ---------------------------------------------------------------------------------

    def _check_params(self) -> tuple[int, float | None, float]:
        h = check_count("horizon", self.horizon, 1)
        check_count("min_periods", self.min_periods, 1)
        check_bool("fit_intercept", self.fit_intercept)
        if self.slope not in ("ic", "ols"):
            raise InvariantError(f"slope must be 'ic' or 'ols', got {self.slope!r}")
        prior = check_non_negative("variance_prior", self.variance_prior)
        q = self.quantile
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0.0 < q <= 0.5:
            raise InvariantError(f"quantile must be a number in (0, 0.5], got {q!r}")
        threshold = self.min_t_stat
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or math.isnan(threshold)
        ):
            raise InvariantError(f"min_t_stat must be a number or None, got {threshold!r}")
        return h, None if threshold is None else float(threshold), prior

    def _require_fitted(self) -> None:
        if not hasattr(self, "usable_"):
            raise MicrofolioError(
                f"{type(self).__name__} is not fitted: call fit(history, as_of, sessions) first"
            )


def _ic_slope(z: pd.Series, y: pd.Series) -> float:
    """Grinold's slope ``2 sin(pi IC / 6) * sigma`` (see the module): ``IC`` the mean per-date
    rank IC over every date, ``sigma`` the pooled cross-sectional dispersion of ``y``; NaN when
    no date has an IC."""
    ic = information_coefficient(z, y).mean
    if not math.isfinite(ic):
        return _NAN
    by_date = y.groupby(level=INDEX_NAMES[0], sort=False)
    dispersion = math.sqrt(float(by_date.var(ddof=0).mean()))
    return 2.0 * math.sin(math.pi * ic / 6.0) * dispersion


def _step(dates: pd.DatetimeIndex, calendar: pd.DatetimeIndex, horizon: int) -> int:
    """How many history dates apart two labels stop overlapping: ``ceil(horizon / g)``, ``g``
    the median gap in sessions between consecutive dates (1 with fewer than two dates)."""
    if len(dates) < 2:
        return 1
    gaps = np.diff(calendar.get_indexer(dates))
    gap = max(1.0, float(np.median(gaps)))
    return max(1, math.ceil(horizon / gap))
