"""Per-session sentiment by ticker, asset class and market, with exponential decay.

Each scored item counts for one XNYS session (:class:`~microfolio.data.news.SessionSchedule`:
published at or after a session's close, it counts for the next one). For a group (a ticker,
an asset class, or the whole market, which takes every item) the sentiment at session ``t`` is
the exponentially weighted mean of the scores of its items aligned to sessions ``<= t``::

    w_i(t) = 0.5 ** ((t - t_i) / half_life)        (t - t_i counted in exchange sessions)
    sentiment(t) = sum_i w_i(t) * score_i / sum_i w_i(t)
    weight(t) = sum_i w_i(t)                        (decayed number of items behind the mean)

so an item's pull halves every ``half_life`` sessions relative to newer items; with no new
items the mean holds while its ``weight`` decays, so a consumer can discount stale news. Before
a group's first item the sentiment is NaN. ``risk_sentiment`` is the same weighted mean over all
items of ``max(-score, 0)``: 0 when recent news is neutral or good, towards 1 when it is
uniformly, strongly negative; :meth:`SessionSentiment.stress` flags the sessions where it
reaches a threshold.

Point in time by construction: the recursion runs forward and items aligned after a session
never enter its values (items after the last session asked for are ignored).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.news import NewsItem, SessionSchedule
from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.sentiment.base import FloatArray

__all__ = ["MARKET", "SessionSentiment", "aggregate"]

#: the name of the market-wide series
MARKET = "market"


@dataclass(frozen=True, eq=False)
class SessionSentiment:
    """Decayed sentiment per session (rows) and ticker / asset class (columns), and market-wide.

    Sentiments lie in ``[-1, 1]`` (NaN before a group's first item); weights are the decayed
    item counts behind them; ``risk_sentiment`` lies in ``[0, 1]``.
    """

    half_life: float
    by_ticker: pd.DataFrame
    by_asset_class: pd.DataFrame
    market: pd.Series
    risk_sentiment: pd.Series
    ticker_weight: pd.DataFrame
    asset_class_weight: pd.DataFrame
    market_weight: pd.Series

    def stress(self, threshold: float) -> pd.Series:
        """True on the sessions where ``risk_sentiment >= threshold`` (False before any news)."""
        if not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0:
            raise InvariantError(f"stress threshold must be in [0, 1], got {threshold!r}")
        flags = self.risk_sentiment.ge(threshold) & self.risk_sentiment.notna()
        return flags.astype(bool).rename("stress")


def aggregate(
    items: Sequence[NewsItem],
    scores: npt.ArrayLike,
    sessions: pd.DatetimeIndex,
    half_life: float,
) -> SessionSentiment:
    """Decayed sentiment on ``sessions`` (XNYS session dates) from ``items`` and their ``scores``.

    ``scores[i]`` is the score of ``items[i]``, in ``[-1, 1]``; ``half_life`` is in sessions.
    """
    values = _scores(items, scores)
    days = _sessions(sessions)
    if not isinstance(half_life, int | float) or not (math.isfinite(half_life) and half_life > 0):
        raise InvariantError(f"half_life must be a positive number of sessions, got {half_life!r}")
    schedule = SessionSchedule.covering(items, days)
    unknown = days.difference(schedule.sessions)
    if len(unknown):
        raise DataFormatError(f"sessions: {unknown[0].date()} is not an XNYS session")
    aligned = schedule.align([item.published_at for item in items])
    first = min(days[0], aligned.min()) if len(aligned) else days[0]
    axis = schedule.sessions[(schedule.sessions >= first) & (schedule.sessions <= days[-1])]
    rows = axis.get_indexer(aligned)  # -1: after the last session asked for, so ignored
    keep = rows >= 0
    decay = 0.5 ** (1.0 / float(half_life))
    shown = axis.get_indexer(days)

    def panel(groups: Sequence[tuple[str, ...]], names: list[str]) -> tuple[FloatArray, FloatArray]:
        column = {name: position for position, name in enumerate(names)}
        sums = np.zeros((len(axis), len(names)))
        counts = np.zeros((len(axis), len(names)))
        for row, value, members, kept in zip(rows, values, groups, keep, strict=True):
            for name in members if kept else ():
                sums[row, column[name]] += value
                counts[row, column[name]] += 1.0
        mean, weight = _decayed_mean(sums, counts, decay)
        return mean[shown], weight[shown]

    def frame(data: FloatArray, names: list[str], label: str) -> pd.DataFrame:
        return pd.DataFrame(data, index=days, columns=pd.Index(names, name=label))

    tickers = sorted(
        {t for item, kept in zip(items, keep, strict=True) if kept for t in item.tickers}
    )
    classes = sorted(
        {c for item, kept in zip(items, keep, strict=True) if kept for c in item.asset_classes}
    )
    ticker_mean, ticker_weight = panel([item.tickers for item in items], tickers)
    class_mean, class_weight = panel([item.asset_classes for item in items], classes)
    everything = [(MARKET,)] * len(items)
    market_mean, market_weight = panel(everything, [MARKET])
    negative = np.maximum(-values, 0.0)
    risk_sums = np.zeros((len(axis), 1))
    np.add.at(risk_sums[:, 0], rows[keep], negative[keep])
    risk, _ = _decayed_mean(risk_sums, _counts(rows[keep], len(axis)), decay)
    return SessionSentiment(
        half_life=float(half_life),
        by_ticker=frame(ticker_mean, tickers, "ticker"),
        by_asset_class=frame(class_mean, classes, "asset_class"),
        market=pd.Series(market_mean[:, 0], index=days, name=MARKET),
        risk_sentiment=pd.Series(risk[shown, 0], index=days, name="risk_sentiment"),
        ticker_weight=frame(ticker_weight, tickers, "ticker"),
        asset_class_weight=frame(class_weight, classes, "asset_class"),
        market_weight=pd.Series(market_weight[:, 0], index=days, name=f"{MARKET}_weight"),
    )


def _decayed_mean(
    sums: FloatArray, counts: FloatArray, decay: float
) -> tuple[FloatArray, FloatArray]:
    """Forward recursion: ``num_t = decay * num_{t-1} + sums_t`` (and the same for counts)."""
    numerator = np.zeros_like(sums)
    weight = np.zeros_like(counts)
    carry_num = np.zeros(sums.shape[1])
    carry_weight = np.zeros(counts.shape[1])
    for t in range(sums.shape[0]):
        carry_num = decay * carry_num + sums[t]
        carry_weight = decay * carry_weight + counts[t]
        numerator[t] = carry_num
        weight[t] = carry_weight
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight > 0, numerator / np.where(weight > 0, weight, 1.0), np.nan)
    return np.clip(mean, -1.0, 1.0), weight


def _counts(rows: npt.NDArray[np.intp], length: int) -> FloatArray:
    counts = np.zeros((length, 1))
    np.add.at(counts[:, 0], rows, 1.0)
    return counts


def _scores(items: Sequence[NewsItem], scores: npt.ArrayLike) -> FloatArray:
    for position, item in enumerate(items):
        if not isinstance(item, NewsItem):
            raise InvariantError(f"items[{position}] must be a NewsItem, got {item!r}")
    values = np.asarray(scores, dtype=np.float64).reshape(-1)
    if values.shape[0] != len(items):
        raise InvariantError(
            f"scores must have one value per item: {values.shape[0]} scores, {len(items)} items"
        )
    bad = ~np.isfinite(values) | (np.abs(values) > 1.0)
    if bad.any():
        position = int(np.argmax(bad))
        raise InvariantError(f"scores[{position}] must be in [-1, 1], got {values[position]!r}")
    return values


def _sessions(sessions: pd.DatetimeIndex) -> pd.DatetimeIndex:
    if not isinstance(sessions, pd.DatetimeIndex) or len(sessions) == 0:
        raise InvariantError(f"sessions must be a non-empty DatetimeIndex, got {sessions!r}")
    days = sessions.tz_localize(None) if sessions.tz is not None else sessions
    if not days.equals(days.normalize()):
        raise InvariantError("sessions must be dates (midnight timestamps), got times of day")
    if not (days.is_monotonic_increasing and days.is_unique):
        raise InvariantError("sessions must be strictly increasing")
    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date")
