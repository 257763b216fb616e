"""Walk-forward, out-of-sample evaluation of volatility forecasters, and choosing the best.

At each origin ``t`` (every ``step`` sessions from ``start``) each model sees only the returns up
to and including ``t`` (all of them, or the last ``window``), forecasts annualised volatility
over ``t+1 .. t+horizon`` and is scored against the realised variance of those sessions
(:func:`~microfolio.signals.volatility.target.forward_realised_variance`) by QLIKE and squared
error on variances. Models are refitted (parameters re-estimated) at the first origin and then
once at least ``refit_every`` sessions have passed; in between they are only updated (state
re-filtered with the fitted parameters), which is what makes daily origins affordable for GARCH.

Origins whose realised variance is exactly zero (no price change over the horizon) have an
infinite QLIKE for every model; they are kept in the forecasts frame but not scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.volatility._checks import check_count, check_returns_series
from microfolio.signals.volatility.base import VolatilityForecaster
from microfolio.signals.volatility.losses import qlike_loss, squared_error
from microfolio.signals.volatility.target import forward_realised_variance

__all__ = [
    "FORECAST_COLUMNS",
    "SUMMARY_COLUMNS",
    "VolEvaluation",
    "best_model",
    "evaluate_vol_models",
]

#: an origin bound: an index label (a date or date string for a dated index)
OriginLabel = str | dt.date | int

#: columns of :attr:`VolEvaluation.forecasts`, one row per (origin, model)
FORECAST_COLUMNS = (
    "origin",
    "model",
    "refit",
    "forecast_vol",
    "forecast_variance",
    "realised_variance",
    "scored",
    "qlike",
    "squared_error",
)
#: columns of :attr:`VolEvaluation.summary`, one row per model, best (lowest mean QLIKE) first
SUMMARY_COLUMNS = ("n_scored", "mean_qlike", "mse", "rank", "rank_mse", "mean_forecast_vol")


@dataclass(frozen=True, slots=True)
class VolEvaluation:
    """What :func:`evaluate_vol_models` measured: per-origin forecasts and the summary table.

    ``forecasts`` is tidy (:data:`FORECAST_COLUMNS`); variances are annualised. ``summary`` is
    indexed by model name (:data:`SUMMARY_COLUMNS`): ``rank`` orders by mean QLIKE (1 = best),
    ``rank_mse`` by mean squared error.
    """

    forecasts: pd.DataFrame
    summary: pd.DataFrame
    horizon: int
    step: int
    refit_every: int
    window: int | None

    def __post_init__(self) -> None:
        if tuple(self.forecasts.columns) != FORECAST_COLUMNS:
            raise InvariantError(f"forecasts columns must be {FORECAST_COLUMNS}")
        if tuple(self.summary.columns) != SUMMARY_COLUMNS:
            raise InvariantError(f"summary columns must be {SUMMARY_COLUMNS}")


def evaluate_vol_models(
    returns: pd.Series,
    models: Mapping[str, VolatilityForecaster],
    start: OriginLabel,
    step: int = 1,
    horizon: int = 1,
    refit_every: int = 21,
    *,
    end: OriginLabel | None = None,
    window: int | None = None,
    variance_proxy: pd.Series | None = None,
) -> VolEvaluation:
    """Walk forward through ``returns`` (one asset's daily log returns) and score ``models``.

    ``start`` and ``end`` bound the origins (index labels, e.g. dates; ``end`` defaults to the
    last origin whose horizon is inside the data). ``window`` of None fits on an expanding
    window from the first return, an integer on the last ``window`` returns. ``models`` maps a
    name to an unfitted forecaster; each is cloned, so the ones given stay untouched.
    ``variance_proxy`` (aligned with ``returns``) goes to models that use one.
    """
    steps = check_count("horizon", horizon, 1)
    stride = check_count("step", step, 1)
    refit = check_count("refit_every", refit_every, 1)
    width = None if window is None else check_count("window", window, 2)
    check_returns_series(returns, steps + 2)
    if variance_proxy is not None and (
        not isinstance(variance_proxy, pd.Series) or not variance_proxy.index.equals(returns.index)
    ):
        raise DataFormatError("variance_proxy must be a Series on the returns index")
    fitted = _clone_models(models)
    origins = _origins(returns, start, end, steps, stride)
    _check_history(fitted, origins[0] + 1 if width is None else min(width, origins[0] + 1))

    realised = forward_realised_variance(returns, steps).to_numpy()
    rows: list[tuple[object, ...]] = []
    last_fit = -refit
    for position in origins:
        refitting = position - last_fit >= refit
        if refitting:
            last_fit = position
        first = 0 if width is None else max(0, position + 1 - width)
        history = returns.iloc[first : position + 1]
        proxy = None if variance_proxy is None else variance_proxy.iloc[first : position + 1]
        for name, model in fitted.items():
            given = proxy if model.uses_variance_proxy else None
            if refitting:
                model.fit(history, given)
            else:
                model.update(history, given)
            vol = model.predict(steps)
            rows.append((returns.index[position], name, refitting, vol, vol * vol))
    forecasts = _score(pd.DataFrame(rows, columns=list(FORECAST_COLUMNS[:5])), realised, origins)
    return VolEvaluation(
        forecasts=forecasts,
        summary=_summarise(forecasts, list(fitted)),
        horizon=steps,
        step=stride,
        refit_every=refit,
        window=width,
    )


def best_model(summary: pd.DataFrame) -> str:
    """The name of the model with the lowest mean QLIKE in an evaluation ``summary`` (the first
    listed on a tie)."""
    if not isinstance(summary, pd.DataFrame) or "mean_qlike" not in summary.columns:
        raise DataFormatError("summary must be a DataFrame with a mean_qlike column")
    scores = summary["mean_qlike"].astype(float)
    if not np.isfinite(scores.to_numpy()).any():
        raise DataFormatError("summary has no model with a finite mean_qlike")
    return str(scores.idxmin(skipna=True))


def _clone_models(models: Mapping[str, VolatilityForecaster]) -> dict[str, VolatilityForecaster]:
    if not isinstance(models, Mapping) or len(models) == 0:
        raise InvariantError(f"models must be a non-empty mapping of name to model, got {models!r}")
    cloned: dict[str, VolatilityForecaster] = {}
    for name, model in models.items():
        if not isinstance(name, str) or not isinstance(model, VolatilityForecaster):
            raise InvariantError(
                f"models must map names to VolatilityForecaster, got {name!r}: {model!r}"
            )
        cloned[name] = clone(model)
    return cloned


def _origins(
    returns: pd.Series, start: OriginLabel, end: OriginLabel | None, horizon: int, step: int
) -> list[int]:
    """Positions of the origins: from ``start`` to ``end`` every ``step``, horizon inside data."""
    index = returns.index
    first = int(index.searchsorted(_label(index, start), side="left"))
    last = len(index) - 1 - horizon
    if end is not None:
        last = min(last, int(index.searchsorted(_label(index, end), side="right")) - 1)
    if first > last:
        raise InvariantError(
            f"start {start!r} (end {end!r}) leaves no origin with {horizon} sessions of "
            "realised returns after it"
        )
    return list(range(first, last + 1, step))


def _label(index: pd.Index, value: OriginLabel) -> OriginLabel:
    if isinstance(index, pd.DatetimeIndex):
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError):
            raise InvariantError(
                f"start/end must be dates for a dated index, got {value!r}"
            ) from None
    return value


def _check_history(models: Mapping[str, VolatilityForecaster], available: int) -> None:
    for name, model in models.items():
        needed = model.min_observations()
        if available < needed:
            raise InvariantError(
                f"start leaves {available} returns before the first origin; model {name!r} "
                f"needs {needed}"
            )


def _score(frame: pd.DataFrame, realised: np.ndarray, origins: list[int]) -> pd.DataFrame:
    n_models = len(frame) // len(origins)
    target = np.repeat(realised[origins], n_models)
    scored = target > 0.0
    if not scored.any():
        raise InvariantError("no origin has a positive realised variance: nothing to score")
    losses = np.full(len(frame), np.nan)
    losses[scored] = qlike_loss(frame["forecast_variance"].to_numpy()[scored], target[scored])
    errors = np.full(len(frame), np.nan)
    errors[scored] = squared_error(frame["forecast_variance"].to_numpy()[scored], target[scored])
    return frame.assign(
        realised_variance=target, scored=scored, qlike=losses, squared_error=errors
    )[list(FORECAST_COLUMNS)]


def _summarise(forecasts: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    grouped = forecasts.groupby("model", sort=False)
    summary = pd.DataFrame(
        {
            "n_scored": grouped["scored"].sum().astype(int),
            "mean_qlike": grouped["qlike"].mean(),
            "mse": grouped["squared_error"].mean(),
        }
    ).reindex(names)
    summary["rank"] = summary["mean_qlike"].rank(method="min").astype(int)
    summary["rank_mse"] = summary["mse"].rank(method="min").astype(int)
    summary["mean_forecast_vol"] = grouped["forecast_vol"].mean().reindex(names)
    summary.index.name = "model"
    return summary.sort_values(["rank", "rank_mse"], kind="stable")[list(SUMMARY_COLUMNS)]
