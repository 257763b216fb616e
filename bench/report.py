"""The Markdown reports: bench/results/optimizers.md and README_snippet.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.problem import TASK_TITLES

__all__ = ["write_reports"]

PEER_ROLE = "peer"
#: the issue's bar, at 500 assets: 10x faster than the fastest peer, 3x the NumPy bound, 1e-4
SPEEDUP_BAR = 10.0
BOUND_BAR = 3.0
AGREEMENT_BAR = 1e-4

OBJECTIVES = {
    "min_variance": ("volatility", "volatility (lower is better)", "pct"),
    "max_sharpe": ("sharpe", "Sharpe ratio (higher is better)", "ratio"),
    "erc": ("rc_error", "max |n RC_i - 1| (0 is exact)", "sci"),
    "frontier": ("mean_volatility", "mean volatility of the 50 points (lower is better)", "pct"),
    "black_litterman": (
        "posterior_sharpe",
        "Sharpe ratio on the posterior mean and covariance (higher is better)",
        "ratio",
    ),
}
#: a solution further than this from the budget or the long-only bound does not count as better
FEASIBILITY = 1e-7

Json = dict[str, Any]


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.3g}x" if ratio < 100 else f"{ratio:.0f}x"


def fmt_sci(value: float) -> str:
    return "0" if value == 0 else f"{value:.1e}"


class Notes:
    """Numbered footnotes, each text once."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"

    def render(self) -> list[str]:
        return [f"{i}. {text}" for i, text in enumerate(self.texts, 1)]


def median(cell: Json) -> float | None:
    timing = cell.get("timing")
    return None if timing is None else float(timing["median_s"])


def fastest_peer(cells: Json) -> tuple[str, float] | None:
    times = [
        (c["library"], t)
        for c in cells.values()
        if c["role"] == PEER_ROLE and (t := median(c)) is not None
    ]
    return min(times, key=lambda x: x[1]) if times else None


def task_ratios(cells: Json) -> tuple[float | None, float | None]:
    """(fastest peer / microfolio, microfolio / NumPy bound)."""
    subject = cells.get("microfolio")
    mine = None if subject is None else median(subject)
    peer = fastest_peer(cells)
    bound = cells.get("numpy")
    bound_time = None if bound is None else median(bound)
    speedup = None if mine is None or peer is None else peer[1] / mine
    to_bound = None if mine is None or bound_time is None else mine / bound_time
    return speedup, to_bound


def speed_table(
    universe: Json, libraries: list[Json], notes: Notes, min_runs: int, budget: float
) -> list[str]:
    names = [lib["name"] for lib in libraries]
    head = ["task", *names, "microfolio speed-up vs fastest peer", "microfolio / NumPy bound"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for task, data in universe["tasks"].items():
        cells = data["cells"]
        peer = fastest_peer(cells)
        row = [TASK_TITLES[task]]
        for lib in libraries:
            cell = cells.get(lib["key"])
            if cell is None:
                row.append("")
                continue
            t = median(cell)
            if t is None:
                row.append(
                    "— "
                    + notes.mark(
                        f"{cell['library']}, {TASK_TITLES[task]}: {cell['note'] or cell['status']}"
                    )
                )
                continue
            text = fmt_time(t)
            if peer is not None and cell["role"] != "bound":
                text += f" ({fmt_ratio(t / peer[1])})"
            runs = len(cell["timing"]["runs_s"])
            if runs < min_runs:
                text += " " + notes.mark(
                    f"fewer than {min_runs} timed runs: one run is too long for {min_runs} to fit "
                    f"the per-cell budget of {budget:g} s (a run longer than the budget is timed "
                    "once, its warm-up); the JSON has every run"
                )
            row.append(text)
        speedup, to_bound = task_ratios(cells)
        row.append(
            "" if speedup is None else f"**{fmt_ratio(speedup)}** (vs {peer[0]})" if peer else ""
        )
        row.append("" if to_bound is None else fmt_ratio(to_bound))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def agreement_table(universe: Json, libraries: list[Json], notes: Notes) -> list[str]:
    others = [lib for lib in libraries if lib["key"] != "microfolio"]
    head = ["task", *[lib["name"] for lib in others], "peers among themselves"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for task, data in universe["tasks"].items():
        row = [TASK_TITLES[task]]
        for lib in others:
            info = data["agreement"].get(lib["key"])
            if info is None:
                row.append("")
            elif info["value"] is not None and info["what"] == "weights":
                row.append(fmt_sci(info["value"]))
            elif info["value"] is not None:
                mark = notes.mark(f"{lib['name']}, {TASK_TITLES[task]}: {info['why']}")
                row.append(f"n/a; posterior μ: {fmt_sci(info['value'])} {mark}")
            elif str(info["why"]).startswith("microfolio"):
                row.append("n/a " + notes.mark(f"{TASK_TITLES[task]}: {info['why']}"))
            else:
                row.append(
                    "n/a " + notes.mark(f"{lib['name']}, {TASK_TITLES[task]}: {info['why']}")
                )
        spread = data["peer_spread"]
        row.append(", ".join(f"{k}: {fmt_sci(v)}" for k, v in spread.items()) or "—")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def objective_table(universe: Json, libraries: list[Json]) -> list[str]:
    shown = [lib for lib in libraries if lib["key"] != "numpy"]
    head = ["task", "measure", *[lib["name"] for lib in shown]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for task, (key, label, style) in OBJECTIVES.items():
        if task not in universe["tasks"]:
            continue
        cells = universe["tasks"][task]["cells"]
        row = [TASK_TITLES[task], label]
        for lib in shown:
            value = cells.get(lib["key"], {}).get("objective", {}).get(key)
            if value is None:
                row.append("—")
            elif style == "pct":
                row.append(f"{value * 100:.6f}%")
            elif style == "ratio":
                row.append(f"{value:.7f}")
            else:
                row.append(fmt_sci(value))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def misses(universe: Json) -> list[str]:
    """Where microfolio is below the issue's bar on this universe."""
    out = []
    for task, data in universe["tasks"].items():
        title = TASK_TITLES[task]
        speedup, to_bound = task_ratios(data["cells"])
        if speedup is not None and speedup < SPEEDUP_BAR:
            out.append(
                f"{title}: {fmt_ratio(speedup)} the speed of the fastest peer (bar: {SPEEDUP_BAR:.0f}x)"
            )
        if to_bound is not None and to_bound > BOUND_BAR:
            out.append(
                f"{title}: {fmt_ratio(to_bound)} the NumPy lower bound's time (bar: {BOUND_BAR:.0f}x)"
            )
        for key, info in data["agreement"].items():
            if info["what"] == "weights" and info["value"] > AGREEMENT_BAR:
                verdict = objective_verdict(task, data["cells"], key)
                out.append(
                    f"{title}: max |Δw| {fmt_sci(info['value'])} to "
                    f"{data['cells'][key]['library']} (bar: 1e-4){verdict}"
                )
    return out


LABELS = {
    "volatility": "volatility",
    "sharpe": "Sharpe ratio",
    "rc_error": "risk-contribution error",
    "posterior_sharpe": "posterior Sharpe ratio",
}


def frontier_verdict(cells: Json, key: str) -> str:
    """Points where one side has the lower volatility for at least the other's return."""
    mine, theirs = cells["microfolio"]["objective"], cells[key]["objective"]
    if "volatilities" not in mine or "volatilities" not in theirs:
        return ""
    if "infeasibility" not in mine or "infeasibility" not in theirs:
        return ""
    pairs = zip(
        mine["volatilities"],
        mine["returns"],
        mine["infeasibility"],
        theirs["volatilities"],
        theirs["returns"],
        theirs["infeasibility"],
        strict=False,
    )
    mine_better = theirs_better = infeasible = 0
    for v_m, r_m, bad_m, v_t, r_t, bad_t in pairs:
        tol = 1e-9 * max(v_m, v_t)
        if bad_t > FEASIBILITY:
            infeasible += 1
        if v_m < v_t - tol and r_m >= r_t - 1e-9 and bad_m <= FEASIBILITY:
            mine_better += 1
        elif v_t < v_m - tol and r_t >= r_m - 1e-9 and bad_t <= FEASIBILITY:
            theirs_better += 1
    name = cells[key]["library"]
    text = (
        f"; of the 50 points, microfolio's is better (lower volatility for at least the return, "
        f"within the constraints) at {mine_better}, {name}'s at {theirs_better}"
    )
    if infeasible:
        text += f"; {infeasible} of {name}'s points break the budget or long-only bound by > 1e-7"
    return text


def objective_verdict(task: str, cells: Json, key: str) -> str:
    """Whose answer is better on the shared moments, when the task has one objective."""
    if task == "frontier":
        return frontier_verdict(cells, key)
    if task not in ("min_variance", "max_sharpe", "erc", "black_litterman"):
        return ""
    name, _, _ = OBJECTIVES[task]
    mine = cells["microfolio"]["objective"].get(name)
    theirs = cells[key]["objective"].get(name)
    if mine is None or theirs is None:
        return ""
    better = mine > theirs if "sharpe" in name else mine < theirs
    tie = abs(mine - theirs) <= 1e-9 * max(abs(mine), abs(theirs), 1e-300)
    if tie:
        return f"; the same {LABELS[name]} to 1e-9: a flat optimum"
    who = "microfolio's" if better else f"{cells[key]['library']}'s"
    return f"; {who} {LABELS[name]} is better ({mine:.9g} vs {theirs:.9g})"


def library_list(results: Json) -> list[Json]:
    first = results["universes"][0]["tasks"]
    cells = next(iter(first.values()))["cells"]
    return [{"key": key, "name": cell["library"]} for key, cell in cells.items()]


def header(results: Json) -> list[str]:
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in results["versions"].items())
    threads = m["threads"].get("OMP_NUM_THREADS") or "unset"
    return [
        f"Measured {m['date']} on {m['cpu']}, {m['nproc']} cores (shared), one thread "
        f"(OMP_NUM_THREADS={threads}, BLAS limited to 1 thread), Python {m['python']}.",
        "",
        f"Versions: {versions}.",
    ]


def write_reports(results: Json, out: Path) -> None:
    libraries = library_list(results)
    s = results["settings"]
    lines = [
        "# Optimisers: microfolio side by side with skfolio, PyPortfolioOpt and Riskfolio-Lib",
        "",
        "Generated by `bench/run.sh` (`python -m bench.optimizers`); raw numbers in "
        "`optimizers.json`. Do not edit by hand.",
        "",
        *header(results),
        "",
        "How to read the tables:",
        "",
        "- Each time is the median wall time of N runs after one warm-up run (N chosen so a cell "
        f"takes about {s['target_seconds']:g} s, at least {s['min_runs']}), and includes the "
        "estimation of the mean and covariance from the same frame of daily returns.",
        "- In brackets: the ratio to the fastest peer's median (below 1x is faster than it). "
        "The NumPy bound is the core linear algebra of each task without its constraints "
        "(see `bench/libs/numpy_lib.py`): a floor, not a competitor.",
        "- Agreement: the largest absolute weight difference to microfolio's weights (over every "
        "asset, and every point of the frontier) where the problem is the same, else why not. "
        "The last column compares the peers with each other: their own solver tolerance.",
        "- Objective: each library's weights evaluated on the same annualised sample moments; "
        "when weights differ by more than the bar, this shows whose answer is better.",
        "",
    ]
    for universe in results["universes"]:
        notes = Notes()
        views = "; ".join(
            f"{v['long']} {'- ' + v['short'] + ' ' if v['short'] else ''}= {v['annual_value']:.0%} a year"
            for v in universe["black_litterman_views"]
        )
        lines += [
            f"## {universe['title']}",
            "",
            f"{universe['note']}. Black-Litterman views: {views}.",
            "",
            "### Median time",
            "",
            *speed_table(
                universe, libraries, notes, int(s["min_runs"]), float(s["budget_seconds"])
            ),
            "",
            "### Agreement with microfolio: max |Δw|",
            "",
            *agreement_table(universe, libraries, notes),
            "",
            "### Objective on the shared moments",
            "",
            *objective_table(universe, libraries),
            "",
        ]
        missed = misses(universe)
        lines += [
            "### Below the issue's bar (set at 500 assets: 10x the fastest peer, within 3x the "
            "NumPy bound, |Δw| ≤ 1e-4)",
            "",
        ]
        lines += [f"- {m}" for m in missed] if missed else ["- none"]
        lines += ["", "Notes:", "", *notes.render(), ""]
    (out / "optimizers.md").write_text("\n".join(lines))
    (out / "README_snippet.md").write_text("\n".join(snippet(results)) + "\n")


def snippet(results: Json) -> list[str]:
    """The block for the README's performance section."""
    by_name = {u["name"]: u for u in results["universes"]}
    main = by_name.get("stocks") or results["universes"][0]
    lines = [
        "### Performance",
        "",
        f"Side by side with skfolio, PyPortfolioOpt and Riskfolio-Lib, in one run on identical "
        f"inputs ({main['title']}, long-only, fully invested; every time includes estimating "
        "the moments from the returns). Reproduce with `bench/setup.sh && bench/run.sh`; full "
        "tables in `bench/results/optimizers.md`.",
        "",
        "| task | microfolio | fastest peer | speed-up | vs NumPy bound | max \\|Δw\\| to the peers (closest to farthest) |",
        "|---|---|---|---|---|---|",
    ]
    for task, data in main["tasks"].items():
        cells = data["cells"]
        subject = cells.get("microfolio")
        mine = None if subject is None else median(subject)
        peer = fastest_peer(cells)
        speedup, to_bound = task_ratios(cells)
        diffs = [
            info["value"]
            for key, info in data["agreement"].items()
            if info["what"] == "weights" and cells[key]["role"] == PEER_ROLE
        ]
        lines.append(
            "| "
            + " | ".join(
                [
                    TASK_TITLES[task],
                    "not yet available" if mine is None else fmt_time(mine),
                    "—" if peer is None else f"{fmt_time(peer[1])} ({peer[0]})",
                    "—" if speedup is None else f"{fmt_ratio(speedup)}",
                    "—" if to_bound is None else f"{fmt_ratio(to_bound)}",
                    "n/a"
                    if not diffs
                    else fmt_sci(min(diffs))
                    if len(diffs) == 1
                    else f"{fmt_sci(min(diffs))} to {fmt_sci(max(diffs))}",
                ]
            )
            + " |"
        )
    others = [u for u in results["universes"] if u is not main]
    if others:
        head = ["task", *[u["title"] for u in results["universes"]]]
        lines += [
            "",
            "microfolio's speed-up over the fastest peer on each universe:",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        for task in main["tasks"]:
            row = [TASK_TITLES[task]]
            for u in results["universes"]:
                data = u["tasks"].get(task)
                speedup = None if data is None else task_ratios(data["cells"])[0]
                row.append("—" if speedup is None else fmt_ratio(speedup))
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", *header(results)]
    return lines


def main() -> int:
    """Rewrite the Markdown from an existing optimizers.json: python -m bench.report [DIR]."""
    import json
    import sys

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results"
    write_reports(json.loads((out / "optimizers.json").read_text()), out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
