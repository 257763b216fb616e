"""A research result on disk: ``report.html`` (verdict, tables, figures) and ``research.json``.

Both are written atomically (a temporary file renamed over the target), the JSON last, so a
folder with a ``research.json`` holds a whole run.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from microfolio.reports.research import ReportTable, ResearchPage, write_research_report
from microfolio.services.research.result import ResearchResult

__all__ = ["IC_WINDOW", "ResearchFiles", "research_page", "write_outputs"]

#: dates in the rolling mean of the IC figure (about a year of sessions)
IC_WINDOW = 252


@dataclass(frozen=True, slots=True)
class ResearchFiles:
    report: Path
    json: Path


def write_outputs(result: ResearchResult, folder: Path) -> ResearchFiles:
    """Write ``report.html`` and ``research.json`` into ``folder`` (made if absent)."""
    folder.mkdir(parents=True, exist_ok=True)
    report = write_research_report(folder / "report.html", research_page(result))
    target = folder / "research.json"
    payload = json.dumps(result.to_dict(), indent=2)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".research.json.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(payload + "\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ResearchFiles(report, target)


def research_page(result: ResearchResult) -> ResearchPage:
    """The page of ``result``: its verdict, provenance, its tables and three figures."""
    config = result.config
    wealth = (1.0 + result.returns).cumprod()
    ic = result.ic.rolling(IC_WINDOW, min_periods=IC_WINDOW // 4).mean().dropna(how="all")
    baselines = [s.name for s in result.strategies if s.kind == "baseline"]
    facts = (
        ("Universe", f"{config.universe}: {len(result.tickers)} tickers"),
        ("Test", f"{result.test_start} to {result.test_end}, {result.rebalances} rebalances"),
        ("Costs", f"{config.cost_bps:g} bp per dollar traded"),
        ("Distinct strategies tried", str(result.verdict.n_trials)),
        ("Config hash", result.config_hash),
        ("Data version", result.data_version),
    )
    return ResearchPage(
        title=f"microfolio research: {config.universe}, out of sample",
        verdict=result.verdict.sentence,
        facts=facts,
        tables=(
            _periods_table(result),
            _forecast_table(result),
            _strategy_table(result),
            *_lifecycle_table(result),
            _retraining_table(result),
            _volatility_table(result),
        ),
        wealth=wealth,
        baselines=baselines,
        ic=ic if not ic.empty else pd.DataFrame(index=pd.DatetimeIndex([])),
        ic_title=f"Information coefficient, rolling mean over {IC_WINDOW} dates",
        notes=result.notes,
    )


def _periods_table(result: ResearchResult) -> ReportTable:
    frame = pd.DataFrame(
        [{"from": p.start, "to": p.end, "how": p.note} for p in result.periods],
        index=pd.Index([p.use for p in result.periods], name="used for"),
    )
    return ReportTable("Which period was used for what", frame)


def _forecast_table(result: ResearchResult) -> ReportTable:
    rows = {
        m.model: {
            "IC": m.ic,
            "t (every date)": m.ic_t_stat,
            "IC (non-overlapping)": m.ic_honest,
            "t (non-overlapping)": m.ic_honest_t_stat,
            "dates": m.ic_honest_dates,
            "hit rate": m.hit_rate,
            "zscore_by_date": _params(m.params),
            "refits": m.refits,
        }
        for m in result.models
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    formats = {
        "IC": "num3",
        "t (every date)": "num2",
        "IC (non-overlapping)": "num3",
        "t (non-overlapping)": "num2",
        "dates": "int",
        "hit rate": "pct",
        "refits": "int",
    }
    note = (
        f"Out-of-sample scores against the {result.config.horizon}-session forward return; "
        "non-overlapping: every horizon-th date, the honest t-statistic."
    )
    return ReportTable("Return forecasts (out of sample)", frame, formats, note=note)


def _strategy_table(result: ResearchResult) -> ReportTable:
    rows = {
        s.name: {
            "kind": s.kind,
            "annual return": s.annual_return,
            "volatility": s.volatility,
            "Sharpe": s.sharpe,
            "Sortino": s.sortino,
            "max drawdown": s.max_drawdown,
            "turnover / yr": s.turnover,
            "costs / yr": s.costs,
            "deflated Sharpe": s.dsr,
            "with views": s.views_share,
            "same as": s.same_as or "",
        }
        for s in result.strategies
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "strategy"
    formats = {
        "annual return": "pct",
        "volatility": "pct",
        "Sharpe": "num2",
        "Sortino": "num2",
        "max drawdown": "pct",
        "turnover / yr": "pct0",
        "costs / yr": "pct",
        "deflated Sharpe": "num3",
        "with views": "pct0",
    }
    note = (
        f"Net of {result.config.cost_bps:g} bp costs; deflated Sharpe over the "
        f"{result.verdict.n_trials} distinct strategies of this table ('same as': a strategy "
        "whose daily returns repeat another's counts once); 'with views': the share of "
        "rebalances at which the model's calibration gave Black-Litterman views (otherwise its "
        "portfolio is the equal-weight prior)."
    )
    return ReportTable("Strategies (out of sample, net)", frame, formats, note=note)


def _volatility_table(result: ResearchResult) -> ReportTable:
    rows = {
        v.model: {
            "mean QLIKE": v.mean_qlike,
            "pooled QLIKE": v.pooled_qlike,
            "tickers won": v.tickers_won,
            "tickers": v.tickers,
            "forecasts": v.forecasts,
        }
        for v in result.volatility
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    formats = {
        "mean QLIKE": "num4",
        "pooled QLIKE": "num4",
        "tickers won": "int",
        "tickers": "int",
        "forecasts": "int",
    }
    note = (
        f"{len(result.vol_tickers)} tickers; a forecast of the next {result.config.horizon} "
        "sessions' variance at every rebalance date, scored when realised; best first."
    )
    return ReportTable("Volatility forecasts (out of sample)", frame, formats, note=note)


def _lifecycle_table(result: ResearchResult) -> tuple[ReportTable, ...]:
    """The checks at which the champion family changed (its first appointment included)."""
    lifecycle = result.lifecycle
    if lifecycle is None:
        return ()
    rows = [
        {
            "date": step.date.isoformat(),
            "champion before": step.incumbent or "",
            "its IC": step.incumbent_ic,
            "new champion": step.champion or "",
            "its IC ": step.challenger_ic,
            "reason": step.reason,
        }
        for step in lifecycle.decisions
        if step.champion is not None and (step.switched or step.incumbent is None)
    ]
    frame = pd.DataFrame(
        rows, columns=["date", "champion before", "its IC", "new champion", "its IC ", "reason"]
    ).set_index("date")
    formats = {"its IC": "num3", "its IC ": "num3"}
    note = (
        f"Registry kind {lifecycle.kind}: every refit of every family is registered as a "
        "challenger; at each rebalance the families are compared on the rank IC of the same "
        f"trailing window of known labels; {lifecycle.switches} switch(es) of family. The "
        "'champion' strategy uses the champion family's views."
    )
    return (ReportTable("Model lifecycle: champion changes", frame, formats, note=note),)


def _retraining_table(result: ResearchResult) -> ReportTable:
    rows = {
        name: {
            "checks": len(checks),
            "refits": sum(c.refit for c in checks),
            "reasons": ", ".join(
                f"{reason} {n}"
                for reason, n in Counter(r for c in checks for r in c.reasons).most_common()
            ),
            "mean drifted share": _mean(c.drifted_share for c in checks),
        }
        for name, checks in result.retraining
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    formats = {"checks": "int", "refits": "int", "mean drifted share": "pct0"}
    note = (
        f"retrain = {result.config.retrain}: 'schedule' refits at every check; 'trigger' "
        "refits when the share of drifted features (PSI or KS), a significant fall of the IC "
        "or the model's age says so."
    )
    return ReportTable("Retraining", frame, formats, note=note)


def _mean(values: Iterable[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _params(params: object) -> str:
    if isinstance(params, dict) and "zscore_by_date" in params:
        return "yes" if params["zscore_by_date"] else "no"
    return ""
