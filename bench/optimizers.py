"""microfolio's optimisers side by side with skfolio, PyPortfolioOpt and Riskfolio-Lib.

    bench/run.sh                       # the full run (sets one BLAS/OpenMP thread)
    python -m bench.optimizers --help  # the options (run from the repository root)

Every library gets the same frame of daily returns per universe; each timing includes the
estimation of the moments from that frame. Results go to bench/results/optimizers.{md,json}
and bench/results/README_snippet.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import math
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from bench.compare import Moments, max_abs_diff, objective
from bench.machine import machine_info
from bench.problem import TASK_TITLES, TASKS, Entry, Outcome, bl_spec_for
from bench.report import write_reports
from bench.timing import CellTimeout, Timing, measure
from bench.universes import Universe, build_universes

__all__ = ["Cell", "main", "run_universe"]

LIBRARIES = {
    "microfolio": "bench.libs.microfolio_lib",
    "skfolio": "bench.libs.skfolio_lib",
    "pypfopt": "bench.libs.pypfopt_lib",
    "riskfolio": "bench.libs.riskfolio_lib",
    "numpy": "bench.libs.numpy_lib",
}
RESULTS = Path(__file__).resolve().parent / "results"
#: cheap, interrupt-friendly tasks first; the frontier last (its skip rule uses min variance)
EXECUTION_ORDER = ("hrp", "min_variance", "max_sharpe", "erc", "black_litterman", "frontier")


@dataclass
class Cell:
    """One library on one task of one universe."""

    library: str
    role: str
    status: str  # ok | unavailable | failed | timeout | skipped
    note: str | None = None
    same_problem: bool = False
    timing: Timing | None = None
    outcome: Outcome | None = field(default=None, repr=False)
    objective: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "library": self.library,
            "role": self.role,
            "status": self.status,
            "note": self.note,
            "same_problem": self.same_problem,
            "timing": None if self.timing is None else self.timing.to_dict(),
            "objective": self.objective,
        }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_cell(
    module: ModuleType,
    entry: Entry,
    task: str,
    universe: Universe,
    moments: Moments,
    args: argparse.Namespace,
    hint: float | None,
    limit: float,
) -> Cell:
    cell = Cell(module.NAME, module.ROLE, "ok", entry.note, entry.same_problem)
    if entry.run is None:
        cell.status = "unavailable"
        return cell
    skip = None
    if hint is not None and math.isinf(hint):
        skip = "skipped: its min variance did not finish"
    elif hint is not None and hint > args.skip_above:
        skip = f"skipped: about {hint:.0f} s per run estimated (50 x its min variance)"
    elif limit <= 0:
        skip = f"skipped: its {args.library_budget:.0f} s budget on this universe was spent"
    if skip is not None:
        cell.status, cell.note, cell.same_problem = "skipped", skip, False
        return cell
    run = entry.run
    returns = universe.returns
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            outcome, timing = measure(
                lambda: run(returns),
                target_seconds=args.target_seconds,
                min_runs=args.min_runs,
                budget_seconds=args.budget_seconds,
                limit_seconds=limit,
            )
    except CellTimeout as exc:
        took = time.perf_counter() - started
        note = f"timed out: {exc} (its compiled solver returned after {took:.0f} s)"
        cell.status, cell.note, cell.same_problem = "timeout", note, False
        return cell
    except Exception as exc:  # a peer failing is a result, not a crash
        cell.status = "failed"
        cell.note = (
            f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
        )
        cell.same_problem = False
        if args.verbose:
            traceback.print_exc()
        return cell
    cell.timing, cell.outcome = timing, outcome
    cell.objective = objective(task, outcome, moments)
    return cell


def agreement(cells: dict[str, Cell], entries: dict[str, Entry]) -> dict[str, dict[str, object]]:
    """max |w - w_microfolio| for each other library, or why not."""
    subject = cells.get("microfolio")
    out: dict[str, dict[str, object]] = {}
    for key, cell in cells.items():
        if key == "microfolio":
            continue
        if subject is None or subject.status != "ok" or subject.outcome is None:
            why = "microfolio: " + (subject.note or subject.status if subject else "not run")
            out[key] = {"value": None, "what": None, "why": why}
        elif cell.status != "ok" or cell.outcome is None:
            out[key] = {"value": None, "what": None, "why": cell.note or cell.status}
        elif cell.same_problem and subject.same_problem:
            value = max_abs_diff(subject.outcome.weights, cell.outcome.weights)
            why = None if value is not None else "different number of frontier points"
            out[key] = {"value": value, "what": "weights", "why": why}
            for name, mine in subject.outcome.extra.items():
                if name in cell.outcome.extra:
                    out[key][name] = max_abs_diff(mine, cell.outcome.extra[name])
        else:
            what = entries[key].compare
            extra = subject.outcome.extra.get(what) if what else None
            theirs = cell.outcome.extra.get(what) if what else None
            value = None if extra is None or theirs is None else max_abs_diff(extra, theirs)
            out[key] = {
                "value": value,
                "what": what if value is not None else None,
                "why": cell.note,
            }
    return out


def peer_spread(cells: dict[str, Cell]) -> dict[str, float]:
    """max |w_a - w_b| between every two peers that solve the same problem."""
    peers = [c for c in cells.values() if c.role == "peer" and c.status == "ok" and c.same_problem]
    out = {}
    for i, a in enumerate(peers):
        for b in peers[i + 1 :]:
            if a.outcome is None or b.outcome is None:
                continue
            value = max_abs_diff(a.outcome.weights, b.outcome.weights)
            if value is not None:
                out[f"{a.library} vs {b.library}"] = value
    return out


def run_universe(
    universe: Universe, modules: dict[str, ModuleType], tasks: list[str], args: argparse.Namespace
) -> dict[str, object]:
    bl = bl_spec_for(universe.returns)
    moments = Moments(universe.returns, bl)
    entries: dict[str, dict[str, Entry]] = {}
    for key, module in modules.items():
        try:
            entries[key] = module.entries(bl)
        except ImportError as exc:
            entries[key] = {t: Entry(None, f"not installed: {exc}") for t in TASKS}
    result: dict[str, object] = {
        "name": universe.name,
        "title": universe.title,
        "note": universe.note,
        "n_assets": universe.n_assets,
        "n_days": universe.n_days,
        "black_litterman_views": [
            {"long": v.long, "short": v.short, "annual_value": v.value} for v in bl.views
        ],
        "tasks": {},
    }
    min_variance_time: dict[str, float] = {}
    spent = dict.fromkeys(modules, 0.0)
    stopped: dict[str, str] = {}
    for task in sorted(tasks, key=EXECUTION_ORDER.index):
        cells: dict[str, Cell] = {}
        task_entries = {key: entries[key][task] for key in modules}
        for key, module in modules.items():
            hint = None
            if task == "frontier" and module.ROLE == "peer":
                base = min_variance_time.get(key)
                hint = None if base is None else 50 * base
            limit = min(args.cell_limit, args.library_budget - spent[key])
            started = time.perf_counter()
            if key in stopped and task_entries[key].run is not None:
                cell = Cell(module.NAME, module.ROLE, "skipped", stopped[key])
            else:
                cell = run_cell(
                    module, task_entries[key], task, universe, moments, args, hint, limit
                )
            spent[key] += time.perf_counter() - started
            if cell.status == "timeout":
                # a long call into compiled code cannot be interrupted: one overrun per library
                # and universe is enough
                stopped[key] = f"skipped: its {TASK_TITLES[task]} timed out on this universe"
            cells[key] = cell
            if task == "min_variance":
                min_variance_time[key] = math.inf if cell.timing is None else cell.timing.median
            shown = (
                f"{cell.timing.median * 1e3:10.2f} ms x{len(cell.timing.runs)}"
                if cell.timing
                else f"{cell.status:>16}"
            )
            log(
                f"  {universe.name:9} {task:16} {module.NAME:15} {shown}  ({time.perf_counter() - started:.1f} s)"
            )
        result["tasks"][task] = {  # type: ignore[index]
            "cells": {key: cell.to_dict() for key, cell in cells.items()},
            "agreement": agreement(cells, task_entries),
            "peer_spread": peer_spread(cells),
        }
    result["tasks"] = {t: result["tasks"][t] for t in tasks}  # type: ignore[index]
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.optimizers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--universes",
        default="etfs,stocks,synthetic",
        help="comma-separated: etfs, stocks, synthetic",
    )
    parser.add_argument(
        "--tasks", default=",".join(TASKS), help=f"comma-separated: {', '.join(TASKS)}"
    )
    parser.add_argument(
        "--libraries", default=",".join(LIBRARIES), help=f"comma-separated: {', '.join(LIBRARIES)}"
    )
    parser.add_argument(
        "--synthetic-days", type=int, default=2520, help="days of synthetic history (default 2520)"
    )
    parser.add_argument(
        "--target-seconds", type=float, default=2.0, help="timed runs per cell add up to about this"
    )
    parser.add_argument(
        "--min-runs", type=int, default=5, help="timed runs per cell, at least (default 5)"
    )
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=40.0,
        help="slow cells get fewer runs than --min-runs so as to fit in this",
    )
    parser.add_argument(
        "--skip-above",
        type=float,
        default=300.0,
        help="skip a peer's frontier when 50 x its min variance exceeds this many seconds",
    )
    parser.add_argument(
        "--cell-limit",
        type=float,
        default=300.0,
        help="stop a cell whose warm-up run takes longer than this many seconds",
    )
    parser.add_argument(
        "--library-budget",
        type=float,
        default=600.0,
        help="seconds one library may spend on one universe; later cells are skipped",
    )
    parser.add_argument(
        "--pypfopt-solver",
        default=None,
        help="cvxpy solver for PyPortfolioOpt (default: its own default, OSQP, with a Clarabel "
        "retry on failure)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1 timed run per cell, no report unless --out is given",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"where to write the results (default {RESULTS}; none with --quick)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="print the traceback of a failing cell"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.target_seconds, args.min_runs, args.budget_seconds = 0.0, 1, 0.0
    if args.out is None and not args.quick:
        args.out = RESULTS
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    tasks = [t for t in TASKS if t in args.tasks.split(",")]
    unknown = sorted(set(args.tasks.split(",")) - set(TASKS) - {""})
    if unknown:
        raise SystemExit(f"unknown tasks: {', '.join(unknown)}")
    modules = {
        key: importlib.import_module(LIBRARIES[key]) for key in args.libraries.split(",") if key
    }
    if "pypfopt" in modules:
        modules["pypfopt"].SOLVER = args.pypfopt_solver
    versions = {}
    for module in modules.values():
        try:
            versions[module.NAME] = module.version()
        except Exception as exc:  # not installed
            versions[module.NAME] = f"not installed ({type(exc).__name__})"
    log(f"libraries: {versions}")
    universes = []
    for universe in build_universes(args.universes.split(","), args.synthetic_days):
        log(f"{universe.title}")
        universes.append(run_universe(universe, modules, tasks, args))
    results = {
        "machine": machine_info(),
        "versions": versions,
        "settings": {
            "target_seconds": args.target_seconds,
            "min_runs": args.min_runs,
            "budget_seconds": args.budget_seconds,
            "skip_above": args.skip_above,
            "cell_limit": args.cell_limit,
            "library_budget": args.library_budget,
            "synthetic_days": args.synthetic_days,
            "pypfopt_solver": args.pypfopt_solver or "default (OSQP), Clarabel on failure",
        },
        "universes": universes,
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "optimizers.json").write_text(json.dumps(results, indent=1) + "\n")
        write_reports(results, args.out)
        log(f"wrote {args.out}/optimizers.md, optimizers.json, README_snippet.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
