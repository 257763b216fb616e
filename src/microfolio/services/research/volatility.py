"""The volatility study: every volatility model forecast out of sample, ticker by ticker.

:func:`run_vol` is a self-contained job for one ticker: its daily log returns (from its own
closes, gaps skipped) go through :func:`~microfolio.signals.volatility.evaluate_vol_models`
with origins every ``horizon`` sessions from the first rebalance date on which every model has
enough history, so the origins fall on the rebalance dates; each forecast is scored by QLIKE
against the realised variance of the next ``horizon`` returns, known at the close of the
``horizon``-th of them (``known``). :class:`VolBook` pools the jobs: the table of the report
(mean QLIKE per model across tickers) and, at a rebalance date ``t``, the model with the lowest
QLIKE over the forecasts realised by ``t`` and its latest forecasts made on or before ``t``:
point in time by construction.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.models import vol_model
from microfolio.signals.volatility import evaluate_vol_models

__all__ = ["VOL_COLUMNS", "VolBook", "VolRun", "run_vol"]

#: columns of :attr:`VolRun.forecasts`
VOL_COLUMNS = ("ticker", "origin", "known", "model", "forecast_vol", "scored", "qlike")


@dataclass(frozen=True, slots=True)
class VolRun:
    """One ticker's out-of-sample volatility forecasts (empty, with ``skipped`` saying why,
    when the ticker has too short a history)."""

    ticker: str
    forecasts: pd.DataFrame
    skipped: str
    seconds: float


def run_vol(
    ticker: str, close: pd.Series, rebalances: pd.DatetimeIndex, config: ResearchConfig
) -> VolRun:
    """Evaluate ``config.vol_models`` on one ticker's closes (see the module)."""
    began = time.perf_counter()
    prices = close.dropna()
    prices = prices[prices > 0.0]
    returns = np.log(prices).diff().iloc[1:]
    models = {str(name): vol_model(name, config.seed, config.fast) for name in config.vol_models}
    needed = max(model.min_observations() for model in models.values())
    last = len(returns) - 1 - config.horizon
    if needed > last:
        return _skipped(ticker, f"{len(returns)} returns: too few for the models", began)
    earliest = returns.index[needed - 1]
    start = rebalances[rebalances >= earliest]
    start = start[start <= returns.index[last]]
    if len(start) == 0:
        return _skipped(ticker, "no rebalance date with enough history before it", began)
    evaluation = evaluate_vol_models(
        returns,
        models,
        start=start[0],
        step=config.horizon,
        horizon=config.horizon,
        refit_every=config.vol_refit_every,
    )
    frame = evaluation.forecasts
    positions = returns.index.get_indexer(pd.DatetimeIndex(frame["origin"]))
    known = returns.index[positions + config.horizon]
    out = pd.DataFrame(
        {
            "ticker": ticker,
            "origin": pd.DatetimeIndex(frame["origin"]),
            "known": known,
            "model": frame["model"].astype(str),
            "forecast_vol": frame["forecast_vol"].astype(float),
            "scored": frame["scored"].astype(bool),
            "qlike": frame["qlike"].astype(float),
        }
    )
    return VolRun(ticker, out[list(VOL_COLUMNS)], "", time.perf_counter() - began)


def _skipped(ticker: str, reason: str, began: float) -> VolRun:
    empty = pd.DataFrame({column: [] for column in VOL_COLUMNS})
    return VolRun(ticker, empty, reason, time.perf_counter() - began)


class VolBook:
    """Every ticker's volatility forecasts together (see the module)."""

    __slots__ = ("_forecasts", "_models", "_skipped")

    def __init__(self, runs: Sequence[VolRun], models: Sequence[str]) -> None:
        frames = [run.forecasts for run in runs if len(run.forecasts)]
        self._models = tuple(models)
        self._skipped = {run.ticker: run.skipped for run in runs if run.skipped}
        if frames:
            self._forecasts = pd.concat(frames, ignore_index=True)
        else:
            self._forecasts = pd.DataFrame({column: [] for column in VOL_COLUMNS})

    @property
    def skipped(self) -> dict[str, str]:
        """Tickers left out of the study, with the reason."""
        return dict(self._skipped)

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(sorted(set(self._forecasts["ticker"])))

    def table(self) -> pd.DataFrame:
        """Per model: mean QLIKE across tickers (each ticker's mean over its scored origins),
        the pooled mean, the tickers where it was best, origins scored; best first."""
        scored = self._forecasts[self._forecasts["scored"].astype(bool)]
        if scored.empty:
            return pd.DataFrame(
                columns=["mean_qlike", "pooled_qlike", "tickers_won", "tickers", "forecasts"]
            )
        per_ticker = scored.pivot_table(
            index="ticker", columns="model", values="qlike", aggfunc="mean"
        ).reindex(columns=list(self._models))
        complete = per_ticker.dropna()
        winners = complete.idxmin(axis=1).value_counts()
        table = pd.DataFrame(
            {
                "mean_qlike": per_ticker.mean(),
                "pooled_qlike": scored.groupby("model")["qlike"].mean(),
                "tickers_won": winners.reindex(per_ticker.columns).fillna(0).astype(int),
                "tickers": per_ticker.notna().sum(),
                "forecasts": scored.groupby("model").size(),
            }
        ).reindex(list(self._models))
        table.index.name = "model"
        return table.sort_values("mean_qlike", kind="stable")

    def best_at(self, t: pd.Timestamp) -> str | None:
        """The model with the lowest pooled QLIKE over the forecasts realised by ``t`` (None
        before any is)."""
        frame = self._forecasts
        known = frame[(pd.DatetimeIndex(frame["known"]) <= t) & frame["scored"].astype(bool)]
        if known.empty:
            return None
        means = known.groupby("model")["qlike"].mean().reindex(list(self._models))
        means = means[np.isfinite(means.to_numpy(dtype=float))]
        return None if means.empty else str(means.idxmin())

    def vols_at(self, t: pd.Timestamp, model: str, tickers: Sequence[str]) -> pd.Series:
        """``model``'s annualised forecasts for ``tickers`` from each one's latest origin on or
        before ``t`` (tickers without one are left out)."""
        frame = self._forecasts
        rows = frame[(frame["model"] == model) & (pd.DatetimeIndex(frame["origin"]) <= t)]
        rows = rows[rows["ticker"].isin(list(tickers))]
        if rows.empty:
            return pd.Series(dtype=float, name="vol")
        latest = rows.sort_values("origin").groupby("ticker").tail(1)
        vols = pd.Series(
            latest["forecast_vol"].to_numpy(dtype=float), index=latest["ticker"], name="vol"
        )
        vols = vols[[math.isfinite(v) and v > 0.0 for v in vols.to_numpy()]]
        return vols.sort_index()
