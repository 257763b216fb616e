"""The whole walk-forward study in one call: :func:`run_research`.

1. The market as known at the close of ``end`` (``market.view(end)``: nothing later is read),
   the universe's tickers (a seeded sample if ``max_tickers``), point-in-time features and the
   forward labels (excess over the cross-sectional mean to train on, raw to judge and calibrate).
2. Every return model walks forward (expanding window from the first session, refit every
   ``refit_every`` sessions, the last ``horizon`` training dates purged), so every score from
   the first test session on is out of sample; the volatility models are judged ticker by
   ticker over the same test period. These jobs are independent and may run in worker
   processes (``workers``), which changes the time but not one number.
3. Every ``horizon`` sessions from the first test session (a rebalance date ``t``), each
   strategy's target weights from what is known at ``t`` only (see
   :mod:`~microfolio.services.research.portfolios`).
4. Each strategy's targets through :func:`~microfolio.backtest.weights_backtest` (traded at the
   close of ``t``, ``cost_bps`` per dollar traded, no interest on cash), then the tables,
   the deflated Sharpe ratios over all the strategies and the verdict.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from microfolio.backtest import WeightsBacktestResult, weights_backtest
from microfolio.data import FIELDS, MarketData
from microfolio.errors import DataFormatError, NotFoundError
from microfolio.estimate import returns_from_prices
from microfolio.features import FeatureSet, WideBars, forward_excess_returns, forward_returns
from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.forecasts import ModelRun, run_model
from microfolio.services.research.jobs import Job, run_jobs
from microfolio.services.research.lifecycle import (
    FamilyRun,
    Lifecycle,
    champion_scores,
    run_lifecycle,
)
from microfolio.services.research.portfolios import (
    BASELINES,
    BOND,
    EQUITY,
    DateInputs,
    baseline_weights,
    date_inputs,
    model_weights,
)
from microfolio.services.research.provenance import design_notes, periods, skipped_vol_notes
from microfolio.services.research.result import ResearchResult, VolScore
from microfolio.services.research.scores import (
    ModelScore,
    StrategyKind,
    model_score,
    strategy_scores,
)
from microfolio.services.research.verdict import verdict
from microfolio.services.research.volatility import VolBook, VolRun, run_vol
from microfolio.signals.fusion import SignalHistory
from microfolio.signals.monitor import InMemoryRegistry, ModelRegistry
from microfolio.signals.validation import WalkForward

__all__ = ["CHAMPION", "Progress", "run_research"]

#: the strategy that follows the champion family of the model lifecycle
CHAMPION = "champion"
#: the lifecycle's validation window (sessions of known labels), the fewest IC dates a family
#: needs in it to compete, and the IC margin a challenger must beat the champion by
LIFECYCLE_WINDOW, LIFECYCLE_MIN_DATES, LIFECYCLE_MARGIN = 252, 63, 0.01

#: ``progress(stage, done, total)``: stages "forecasts", "volatility", "portfolios"
Progress = Callable[[str, int, int], None]

#: dates and numbers in a calibration's reason, left out to count reasons alike
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d[\d.]*(?:e[-+]?\d+)?")

#: the order the return models are started in: slowest first, so that workers stay busy
_COST_ORDER = (
    "lstm",
    "random_forest",
    "gradient_boosting",
    "elastic_net",
    "historical_mean",
    "momentum",
    "zero",
)


def run_research(
    config: ResearchConfig,
    market: MarketData,
    progress: Progress | None = None,
    *,
    workers: int = 1,
    bonds: MarketData | None = None,
    registry: ModelRegistry | None = None,
) -> ResearchResult:
    """Run the study of ``config`` on ``market`` (see the module).

    ``bonds`` is the market the 60/40's bond leg (AGG) comes from when ``market`` lacks it (the
    stock file); ``workers`` the processes that run the model and volatility jobs;
    ``registry`` where the model lifecycle records every fit and champion (None: in memory).
    """
    timings: dict[str, float] = {}
    began = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    end = pd.Timestamp(config.end) if config.end is not None else market.sessions[-1]
    view = market.view(end)
    tickers, available = _tickers(view.close, config)
    wide = WideBars(**{field: view.frame(field)[list(tickers)] for field in FIELDS})
    features = FeatureSet().fit(wide).transform(wide)
    target = forward_excess_returns(wide, config.horizon)
    realised = forward_returns(wide, config.horizon)
    sessions = view.sessions
    splits = _splits(config, features.dates)
    first_test = splits[0][1][0]
    rebalances = sessions[sessions.get_loc(first_test) :: config.horizon]
    returns = _returns(wide.close, config, bonds, end)
    timings["features"] = time.perf_counter() - began

    step = time.perf_counter()
    model_runs, vol_runs = _run_jobs(
        config,
        (features.frame, features.spec, target),
        splits,
        wide.close,
        rebalances,
        workers,
        report,
        (realised, sessions),
    )
    timings["forecasts_and_volatility"] = time.perf_counter() - step
    for run in model_runs.values():
        timings[f"model:{run.name}"] = run.seconds
    timings["volatility_jobs"] = sum(run.seconds for run in vol_runs)

    scores: list[ModelScore] = []
    ic_series: list[pd.Series] = []
    histories: dict[str, SignalHistory] = {}
    for name in config.models:
        run = model_runs[name]
        score, per_date = model_score(
            name,
            run.scores,
            realised,
            config.horizon,
            params=run.params,
            tuning=run.tuning,
            refits=run.splits,
            seconds=run.seconds,
        )
        scores.append(score)
        ic_series.append(per_date)
        histories[name] = SignalHistory.from_scores(run.scores, realised, name)
    book = VolBook(vol_runs, config.vol_models)
    signals: dict[str, pd.Series] = {name: model_runs[name].scores for name in config.models}

    step = time.perf_counter()
    lifecycle = None
    if len(config.models) >= 2:
        families: dict[str, FamilyRun] = {
            name: FamilyRun.from_model_run(model_runs[name]) for name in config.models
        }
        lifecycle = run_lifecycle(
            families,
            realised,
            rebalances,
            sessions,
            config.horizon,
            kind=f"return:{config.universe}:{config.horizon}d:{config.config_hash()}",
            data_version=market.data_version,
            first_train=splits[0][0][0].date(),
            registry=InMemoryRegistry() if registry is None else registry,
            window=LIFECYCLE_WINDOW,
            min_dates=LIFECYCLE_MIN_DATES,
            min_improvement=LIFECYCLE_MARGIN,
        )
        signals[CHAMPION] = champion_scores(lifecycle, families)
        histories[CHAMPION] = SignalHistory.from_scores(signals[CHAMPION], realised, CHAMPION)
    timings["lifecycle"] = time.perf_counter() - step

    step = time.perf_counter()
    targets, views_share, notes = _targets(
        config, returns, rebalances, sessions, signals, histories, book, report
    )
    timings["portfolios"] = time.perf_counter() - step

    step = time.perf_counter()
    first = min(targets[BASELINES[0]])
    held = returns.loc[first:]
    results: dict[str, WeightsBacktestResult] = {
        name: weights_backtest(held, plan, cost_bps=config.cost_bps, cash_rate=0.0, missing="zero")
        for name, plan in targets.items()
    }
    kinds: dict[str, StrategyKind] = {
        name: ("model" if name in signals else "baseline") for name in targets
    }
    table = strategy_scores(results, kinds, views_share)
    judged = verdict(table, config.cost_bps)
    timings["backtests"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - began

    vol_table = book.table()
    complete = features.frame.dropna()
    first_feature = complete.index.get_level_values(0).min().date()
    return ResearchResult(
        config=config,
        config_hash=config.config_hash(),
        data_version=market.data_version,
        source_version=market.source_version,
        tickers=tickers,
        dropped=tuple(market.dropped),
        periods=periods(config, sessions, splits, first, first_feature, end),
        rebalances=len(targets[BASELINES[0]]),
        models=tuple(scores),
        volatility=tuple(
            VolScore(
                model=str(name),
                mean_qlike=float(row["mean_qlike"]),
                pooled_qlike=float(row["pooled_qlike"]),
                tickers_won=int(row["tickers_won"]),
                tickers=int(row["tickers"]),
                forecasts=int(row["forecasts"]),
            )
            for name, row in vol_table.iterrows()
        ),
        vol_tickers=book.tickers,
        strategies=table,
        verdict=judged,
        returns=pd.DataFrame({name: r.returns for name, r in results.items()}),
        weights={name: r.weights for name, r in results.items()},
        ic=pd.concat(ic_series, axis=1) if ic_series else pd.DataFrame(),
        notes=(
            *design_notes(config, len(tickers), available, market.dropped),
            *notes,
            *_lifecycle_notes(lifecycle),
            *skipped_vol_notes(book.skipped),
        ),
        timings=timings,
        lifecycle=lifecycle,
        retraining=tuple((name, model_runs[name].checks) for name in config.models),
    )


# --- set-up ---------------------------------------------------------------------------------


def _tickers(close: pd.DataFrame, config: ResearchConfig) -> tuple[tuple[str, ...], int]:
    """The universe's tickers (those with a bar by the end, sampled if asked) and how many
    there were to choose from."""
    present = [str(t) for t in close.columns[close.notna().any().to_numpy()]]
    available = len(present)
    if config.max_tickers is not None and len(present) > config.max_tickers:
        rng = np.random.default_rng(config.seed)
        picked = rng.choice(len(present), size=config.max_tickers, replace=False)
        present = [present[i] for i in sorted(picked)]
    if config.universe == "etfs":
        missing = [t for t in (EQUITY, BOND) if t not in present]
        if missing:
            raise NotFoundError(
                f"the 60/40 baseline needs {' and '.join(missing)} among the ETFs, which the "
                "data lack"
            )
    if len(present) < 3:
        raise DataFormatError(f"the data hold {len(present)} tickers: need at least 3")
    return tuple(sorted(present)), available


def _splits(
    config: ResearchConfig, dates: pd.DatetimeIndex
) -> list[tuple[pd.DatetimeIndex, pd.DatetimeIndex]]:
    walk = WalkForward(
        train="expanding",
        test_size=config.refit_every,
        horizon=config.horizon,
        min_train=config.min_train,
        test_start=config.test_start,
    )
    splits = [(split.train, split.test) for split in walk.split(dates)]
    if not splits:
        raise DataFormatError(f"no test session on or after {config.test_start}")
    return splits


def _returns(
    close: pd.DataFrame, config: ResearchConfig, bonds: MarketData | None, end: pd.Timestamp
) -> pd.DataFrame:
    """Daily simple returns of the universe, and of the bond leg when it is not in it."""
    returns = returns_from_prices(close)
    if BOND in returns.columns:
        return returns
    if bonds is None:
        raise NotFoundError(
            f"the 60/40 baseline needs {BOND} for its bond leg: the data lack it and no bond "
            "market was given"
        )
    if BOND not in bonds.tickers:
        raise NotFoundError(f"the bond market has no {BOND} for the 60/40 baseline")
    bond_close = bonds.view(end).close[BOND].reindex(close.index)
    bond = returns_from_prices(bond_close.to_frame())[BOND]
    return returns.assign(**{BOND: bond})


def _run_jobs(
    config: ResearchConfig,
    learning: tuple[pd.DataFrame, str, pd.Series],
    splits: list[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
    close: pd.DataFrame,
    rebalances: pd.DatetimeIndex,
    workers: int,
    report: Progress,
    known: tuple[pd.Series, pd.DatetimeIndex],
) -> tuple[dict[str, ModelRun], list[VolRun]]:
    names = sorted(config.models, key=_COST_ORDER.index)
    vol_tickers = list(close.columns)
    if config.vol_tickers is not None and len(vol_tickers) > config.vol_tickers:
        rng = np.random.default_rng(config.seed + 1)
        picked = rng.choice(len(vol_tickers), size=config.vol_tickers, replace=False)
        vol_tickers = [vol_tickers[i] for i in sorted(picked)]
    jobs: list[Job] = [(run_model, (name, config, *learning, splits, *known)) for name in names]
    jobs += [(run_vol, (str(t), close[t], rebalances, config)) for t in vol_tickers]
    counts = {"forecasts": 0, "volatility": 0}
    totals = {"forecasts": len(names), "volatility": len(vol_tickers)}
    report("forecasts", 0, totals["forecasts"])
    report("volatility", 0, totals["volatility"])

    def done(index: int, result: Any) -> None:
        stage = "forecasts" if index < len(names) else "volatility"
        counts[stage] += 1
        report(stage, counts[stage], totals[stage])

    results = run_jobs(jobs, workers, done)
    model_runs = {run.name: run for run in results[: len(names)]}
    return model_runs, list(results[len(names) :])


# --- the portfolios of every rebalance date -------------------------------------------------


def _targets(
    config: ResearchConfig,
    returns: pd.DataFrame,
    rebalances: pd.DatetimeIndex,
    sessions: pd.DatetimeIndex,
    signals: Mapping[str, pd.Series],
    histories: Mapping[str, SignalHistory],
    book: VolBook,
    report: Progress,
) -> tuple[dict[str, dict[pd.Timestamp, pd.Series]], dict[str, float], list[str]]:
    """Every strategy's targets at every rebalance date: one model strategy per entry of
    ``signals`` (out-of-sample scores by name), then the baselines."""
    strategies = [*signals, *BASELINES]
    targets: dict[str, dict[pd.Timestamp, pd.Series]] = {name: {} for name in strategies}
    with_views: dict[str, int] = dict.fromkeys(signals, 0)
    why_not: dict[str, Counter[str]] = {name: Counter() for name in signals}
    vol_used: dict[str, int] = {}
    skipped_dates = 0
    exclude = (BOND,) if config.universe == "stocks" else ()
    by_date = {name: _by_date(scores) for name, scores in signals.items()}
    total = len(rebalances)
    report("portfolios", 0, total)
    for k, t in enumerate(rebalances, start=1):
        inputs = date_inputs(returns, t, config, exclude)
        if inputs is None:
            skipped_dates += 1
            report("portfolios", k, total)
            continue
        for name in BASELINES:
            targets[name][t] = baseline_weights(name, inputs, config)
        vols, vol_name = _vols(config, book, inputs)
        if vol_name is not None:
            vol_used[vol_name] = vol_used.get(vol_name, 0) + 1
        for name in signals:
            scores = by_date[name].get(t, pd.Series(dtype=float))
            pick = model_weights(
                name, inputs, scores, histories[name], sessions, config, vols, vol_name
            )
            targets[name][t] = pick.weights
            with_views[name] += int(pick.views > 0)
            if pick.views == 0:
                why_not[name][_NUMBER.sub("#", _DATE.sub("t", pick.reason))] += 1
        report("portfolios", k, total)
    built = len(targets[BASELINES[0]])
    if built == 0:
        raise DataFormatError(
            f"no rebalance date has {config.cov_window} sessions of returns for two tickers: "
            "start the test later or shorten cov_window"
        )
    notes: list[str] = []
    if skipped_dates:
        notes.append(
            f"{skipped_dates} early rebalance date(s) skipped: fewer than {config.cov_window} "
            "sessions of returns before them."
        )
    if vol_used:
        used = ", ".join(f"{name} on {n}" for name, n in sorted(vol_used.items()))
        notes.append(f"Volatility model put into the covariance (best QLIKE so far): {used}.")
    for name, reasons in why_not.items():
        if reasons:
            common = "; ".join(f"{reason!r} ({n})" for reason, n in reasons.most_common(3))
            notes.append(
                f"{name} gave views at {with_views[name]} of {built} rebalances; without "
                f"views (equal weight), because: {common}."
            )
    share = {str(name): with_views[name] / built for name in signals}
    return targets, share, notes


def _lifecycle_notes(lifecycle: Lifecycle | None) -> list[str]:
    """One note on the champion strategy and how often its family changed."""
    if lifecycle is None:
        return []
    by_date = lifecycle.champion_by_date.dropna()
    if by_date.empty:
        return [
            f"{CHAMPION}: no model family had enough known out-of-sample dates to become "
            "champion; the strategy held the equal-weight prior."
        ]
    held = by_date.value_counts()
    shares = ", ".join(f"{name} at {n}" for name, n in held.items())
    return [
        f"{CHAMPION}: the views of the champion family of the model registry (the family with "
        f"the best rank IC over the last {LIFECYCLE_WINDOW} sessions of known labels, replaced "
        f"only by one better by more than {LIFECYCLE_MARGIN:g}); first champion on {by_date.index[0].date()}, "
        f"{lifecycle.switches} switch(es); champion at {shares} of {len(by_date)} rebalances."
    ]


def _by_date(scores: pd.Series) -> dict[pd.Timestamp, pd.Series]:
    """A model's out-of-sample scores (sorted by date, ticker) split by date, by ticker."""
    dates = pd.DatetimeIndex(scores.index.get_level_values(0))
    tickers = scores.index.get_level_values(1).astype(str)
    values = scores.to_numpy(dtype=float)
    change = np.flatnonzero(dates[1:] != dates[:-1]) + 1
    bounds = [0, *change.tolist(), len(dates)]
    out: dict[pd.Timestamp, pd.Series] = {}
    for a, b in itertools.pairwise(bounds):
        section = pd.Series(values[a:b], index=tickers[a:b], name="score")
        out[dates[a]] = section[np.isfinite(section.to_numpy())]
    return out


def _vols(
    config: ResearchConfig, book: VolBook, inputs: DateInputs
) -> tuple[pd.Series | None, str | None]:
    if not config.rescale_vol:
        return None, None
    best = book.best_at(inputs.t)
    if best is None:
        return None, None
    vols = book.vols_at(inputs.t, best, inputs.universe)
    return (vols, best) if len(vols) else (None, None)
