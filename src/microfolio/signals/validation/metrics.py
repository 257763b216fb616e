"""How well scores rank what happened: the information coefficient and the hit rate.

Both compare ``scores`` (a :class:`~microfolio.signals.forecast.ForecastScores` or a long
Series on (date, ticker)) with ``realised`` labels on the rows they share where both are
finite.

**Information coefficient (IC).** Per date, the Spearman rank correlation between scores and
realised labels across tickers (average ranks for ties; dates with fewer than ``min_names``
shared rows are skipped). A date on which either side is constant has no ranking, and its IC
is 0: a forecast without a cross-sectional view earns nothing. The summary is the mean over
dates, its standard deviation, and ``t = mean / std * sqrt(n_dates)``.

The t-statistic assumes independent dates. With a ``horizon``-session label, consecutive
dates' labels overlap by ``horizon - 1`` sessions and their ICs are strongly autocorrelated, so
``t`` over every date overstates significance (by roughly ``sqrt(horizon)``). Pass
``every=horizon`` to evaluate only every ``horizon``-th shared date (non-overlapping labels):
a smaller but honest ``t``, with no Newey-West correction needed.

**Hit rate.** The share of calls that came true, pooled over dates and tickers:

* ``"half"`` (cross-sectional, the default): on each date a ticker scored above the date's
  median score is called to beat the date's median realised label, one scored below to fall
  short of it; a call is a hit when the realised label lies on the called side. Ties with
  either median make no call. Random scores hit about half the time.
* ``"sign"``: a non-zero score calls the sign of the realised label; zero scores and zero
  labels make no call.

With no call at all (say, the zero forecaster) the hit rate is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast import ForecastScores
from microfolio.signals.forecast._checks import check_choice, check_count, check_long_series

__all__ = ["ICSummary", "hit_rate", "information_coefficient", "mean_ic", "spearman_by_date"]

#: a spread of ranks below this is no spread (a constant side)
_TINY = 1e-12


@dataclass(frozen=True, slots=True)
class ICSummary:
    """Per-date information coefficients and their summary (see the module)."""

    mean: float
    std: float
    t_stat: float
    n_dates: int
    every: int
    dates: tuple[pd.Timestamp, ...]
    values: tuple[float, ...]

    @property
    def per_date(self) -> pd.Series:
        """The IC of each evaluated date."""
        index = pd.DatetimeIndex(list(self.dates), name=INDEX_NAMES[0])
        return pd.Series(list(self.values), index=index, name="ic", dtype=np.float64)


def _joined(scores: ForecastScores | pd.Series, realised: pd.Series, every: int) -> pd.DataFrame:
    """Rows where both sides are finite, on every ``every``-th shared date."""
    left = scores.scores if isinstance(scores, ForecastScores) else scores
    left = check_long_series("scores", left)
    right = check_long_series("realised", realised)
    both = pd.DataFrame({"score": left}).join(pd.DataFrame({"realised": right}), how="inner")
    both = both.dropna()
    if every > 1 and len(both):
        dates = both.index.get_level_values(INDEX_NAMES[0])
        kept = dates.unique().sort_values()[::every]
        both = both[dates.isin(kept)]
    return both


def information_coefficient(
    scores: ForecastScores | pd.Series,
    realised: pd.Series,
    *,
    every: int = 1,
    min_names: int = 3,
) -> ICSummary:
    """Mean per-date Spearman IC of ``scores`` against ``realised`` (see the module).

    With no date to evaluate, every statistic is NaN and ``n_dates`` is 0.
    """
    step = check_count("every", every, 1)
    least = check_count("min_names", min_names, 2)
    both = _joined(scores, realised, step)
    by_date = both.groupby(level=INDEX_NAMES[0], sort=True)
    sizes = by_date.size()
    both = both[both.index.get_level_values(INDEX_NAMES[0]).isin(sizes.index[sizes >= least])]
    if both.empty:
        nan = float("nan")
        return ICSummary(nan, nan, nan, 0, step, (), ())
    ic, _ = spearman_by_date(both)
    values = ic.to_numpy()  # 0 on a date without a ranking
    n = len(values)
    mean = float(values.mean())
    std = float(values.std(ddof=1)) if n > 1 else float("nan")
    return ICSummary(
        mean=mean,
        std=std,
        t_stat=_t_stat(mean, std, n),
        n_dates=n,
        every=step,
        dates=tuple(pd.DatetimeIndex(ic.index)),
        values=tuple(float(v) for v in values),
    )


def spearman_by_date(both: pd.DataFrame) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """Per date of ``both`` (two columns, rows on a ``(date, ticker)`` index, no missing
    values, each ticker once a date), the Spearman rank correlation of the columns across
    tickers (average ranks for ties), dates in order; and per date whether both columns had a
    ranking (a spread of ranks), without which the correlation is left at 0.

    Vectorised over dates on the (date x ticker) matrix: ``scipy.stats.rankdata`` along each
    row, missing tickers left out. Every research run, calibration and drift check goes
    through it: ``bench/signals.py`` times it against scipy and pandas.
    """
    if both.index.has_duplicates:
        raise DataFormatError("the rows repeat a (date, ticker): give each ticker once a date")
    first, second = both.columns[:2]
    wide = both.unstack(level=INDEX_NAMES[1])
    a = _centred_ranks(wide[first].to_numpy(dtype=np.float64))
    b = _centred_ranks(wide[second].to_numpy(dtype=np.float64))
    cross = np.nansum(a * b, axis=1)
    spread = np.sqrt(np.nansum(a * a, axis=1) * np.nansum(b * b, axis=1))
    ranked: npt.NDArray[np.bool_] = spread > _TINY
    values = np.where(ranked, cross / np.where(ranked, spread, 1.0), 0.0)
    index = pd.DatetimeIndex(wide.index, name=INDEX_NAMES[0])
    return pd.Series(np.clip(values, -1.0, 1.0), index=index, name="ic"), ranked


def _centred_ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's average ranks minus their mean (NaN stays NaN and is left out)."""
    if values.size == 0:
        return values
    from scipy.stats import rankdata  # here: scipy.stats takes 0.7 s to import

    ranks = rankdata(values, axis=1, nan_policy="omit")
    centred: npt.NDArray[np.float64] = ranks - np.nanmean(ranks, axis=1, keepdims=True)
    return centred


def _t_stat(mean: float, std: float, n: int) -> float:
    if n < 2:
        return float("nan")
    if std > 0.0:
        return mean / std * math.sqrt(n)
    return 0.0 if mean == 0.0 else math.copysign(math.inf, mean)


def mean_ic(scores: ForecastScores | pd.Series, realised: pd.Series) -> float:
    """The mean per-date IC (the default metric of validation and tuning)."""
    return information_coefficient(scores, realised).mean


def hit_rate(
    scores: ForecastScores | pd.Series,
    realised: pd.Series,
    *,
    method: Literal["half", "sign"] = "half",
    every: int = 1,
) -> float:
    """The share of calls that came true (see the module); NaN when no call was made."""
    kind = check_choice("method", method, ("half", "sign"))
    both = _joined(scores, realised, check_count("every", every, 1))
    if both.empty:
        return float("nan")
    score = both["score"].to_numpy(dtype=np.float64)
    outcome = both["realised"].to_numpy(dtype=np.float64)
    if kind == "half":
        by_date = both.groupby(level=INDEX_NAMES[0], sort=False)
        score = score - by_date["score"].transform("median").to_numpy(dtype=np.float64)
        outcome = outcome - by_date["realised"].transform("median").to_numpy(dtype=np.float64)
    called = (score != 0.0) & (outcome != 0.0)
    if not called.any():
        return float("nan")
    return float(np.mean(np.sign(score[called]) == np.sign(outcome[called])))
