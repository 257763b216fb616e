"""The per-date information coefficient, microfolio's against the usual ways of computing it.

microfolio computes every date's Spearman rank correlation across tickers in one grouped rank
(:func:`microfolio.signals.validation.metrics.spearman_by_date`); every research run, every
calibration and every drift check goes through it. It is hand-written, so it is measured here,
in one process, against:

* ``scipy``: ``scipy.stats.spearmanr`` date by date (a loop over the dates);
* ``pandas``: ``groupby(date).apply(lambda g: g["score"].corr(g["realised"], method="spearman"))``
  (how Alphalens-style tools compute it).

Inputs: 12-1 momentum (the 252-day return skipping the last 21 sessions) as the score and the
21-session forward return as the label, on the bundled ETFs and on the 500 stocks of
``../shared/data``: every date with at least three tickers. Writes ``bench/results/signals.md``
and ``signals.json`` (medians, every run, ratios, the largest difference from microfolio's
values). Run single-threaded: ``OMP_NUM_THREADS=1 .venv/bin/python -m bench.signals``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from bench.machine import machine_info
from bench.timing import Timing, measure
from bench.universes import STOCKS_FILE
from microfolio.data import load_bundled_bars, read_bars
from microfolio.data.frames import long_to_wide
from microfolio.signals.validation.metrics import spearman_by_date

RESULTS = Path(__file__).parent / "results"


def panel(close: pd.DataFrame) -> pd.DataFrame:
    """Long (date, ticker) rows of momentum and the forward return, complete, three or more
    tickers per date."""
    momentum = close.shift(21) / close.shift(252) - 1.0
    forward = close.shift(-21) / close - 1.0
    both = pd.DataFrame(
        {"score": momentum.stack(future_stack=True), "realised": forward.stack(future_stack=True)}
    ).dropna()
    both.index = both.index.set_names(["date", "ticker"])
    sizes = both.groupby(level="date").size()
    return both[both.index.get_level_values("date").isin(sizes.index[sizes >= 3])].sort_index()


def with_scipy(both: pd.DataFrame) -> pd.Series:
    dates = both.index.get_level_values("date")
    bounds = np.flatnonzero(np.r_[True, dates[1:] != dates[:-1], True])
    score, realised = both["score"].to_numpy(), both["realised"].to_numpy()
    values = [spearmanr(score[a:b], realised[a:b]).statistic for a, b in pairwise(bounds)]
    return pd.Series(values, index=dates[bounds[:-1]])


def with_pandas(both: pd.DataFrame) -> pd.Series:
    return both.groupby(level="date").apply(
        lambda g: g["score"].corr(g["realised"], method="spearman")
    )


def with_microfolio(both: pd.DataFrame) -> pd.Series:
    return spearman_by_date(both)[0]


def timed(fn: Callable[[pd.DataFrame], pd.Series], both: pd.DataFrame) -> tuple[pd.Series, Timing]:
    """``fn(both)`` and its timing (median of the timed runs after a warm-up)."""
    return measure(lambda: fn(both), target_seconds=3.0, min_runs=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    etfs = long_to_wide(load_bundled_bars(), "close")
    stocks = long_to_wide(read_bars(STOCKS_FILE), "close")
    ways: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
        "microfolio": with_microfolio,
        "scipy": with_scipy,
        "pandas": with_pandas,
    }
    rows: list[dict[str, object]] = []
    for name, close in (("etfs", etfs), ("stocks", stocks)):
        both = panel(close)
        n_dates = both.index.get_level_values("date").nunique()
        results = {way: timed(fn, both) for way, fn in ways.items()}
        ours = results["microfolio"][0]
        base = results["microfolio"][1].median
        for way, (values, timing) in results.items():
            aligned = values.reindex(ours.index).to_numpy(dtype=float)
            rows.append(
                {
                    "universe": name,
                    "rows": len(both),
                    "dates": n_dates,
                    "way": way,
                    "median_seconds": timing.median,
                    "ratio_to_microfolio": timing.median / base,
                    "runs": len(timing.runs),
                    "max_abs_difference": float(np.nanmax(np.abs(aligned - ours.to_numpy()))),
                }
            )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "signals.json").write_text(
        json.dumps({"machine": machine_info(), "rows": rows}, indent=2) + "\n"
    )
    lines = [
        "# Per-date Spearman IC: microfolio against scipy and pandas",
        "",
        "Median seconds over the timed runs (one warm-up first), single-threaded, one process; "
        "the ratio is the way's median over microfolio's (above 1: microfolio is faster).",
        "",
        "| universe | rows | dates | way | median s | ratio | runs | max abs difference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['universe']} | {r['rows']:,} | {r['dates']:,} | {r['way']} | "
            f"{r['median_seconds']:.4f} | {r['ratio_to_microfolio']:.1f} | {r['runs']} | "
            f"{r['max_abs_difference']:.1e} |"
        )
    (args.out / "signals.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
