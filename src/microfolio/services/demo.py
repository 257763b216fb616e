"""The demo: three sample accounts run through the daily cycle on the bundled real data."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from microfolio.advisor import InverseVolModel
from microfolio.backtest import Backtest, BacktestResult, MonthlyDeposits
from microfolio.data import GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.domain import Account, AccountType, Household, SequentialIds
from microfolio.execution import CostModel, MarketOpenPrices, SimulatedBroker
from microfolio.rebalance import Planner, RebalancePolicy
from microfolio.reports import write_backtest_report
from microfolio.risk import PerformanceSummary
from microfolio.services.cycle import DailyCycle
from microfolio.services.trade_log import write_trade_log
from microfolio.store import Store

__all__ = ["DEMO_TICKERS", "DemoResult", "SampleAccount", "run_demo"]

#: one fund per asset class, each the class's fund with the longest history in the bundled data
#: (US stocks, international developed, US bonds, real estate, gold): all trade from 2005, so the
#: model has a year of history on the first day of 2007.
DEMO_TICKERS = ("VTI", "EFA", "AGG", "VNQ", "GLD")


@dataclass(frozen=True, slots=True)
class SampleAccount:
    account: Account
    deposits: MonthlyDeposits


SAMPLE_HOUSEHOLD = Household("hh-demo", "The Demo Household")
SAMPLE_ACCOUNTS = (
    SampleAccount(
        Account("acct-starter", "hh-demo", "Starter (fractional)", AccountType.TAXABLE),
        MonthlyDeposits(initial=Decimal("5000"), monthly=Decimal("250")),
    ),
    SampleAccount(
        Account("acct-saver", "hh-demo", "Saver IRA (fractional)", AccountType.TRADITIONAL_IRA),
        MonthlyDeposits(initial=Decimal("50000"), monthly=Decimal("1000")),
    ),
    SampleAccount(
        Account(
            "acct-whole",
            "hh-demo",
            "Whole shares (taxable)",
            AccountType.TAXABLE,
            fractional=False,
        ),
        MonthlyDeposits(initial=Decimal("250000"), monthly=Decimal("0")),
    ),
)


@dataclass(frozen=True, slots=True)
class DemoResult:
    work_dir: Path
    database: Path
    report: Path
    summary_path: Path
    backtest: BacktestResult
    summaries: dict[str, PerformanceSummary]
    data_version: str


def new_work_dir(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="demo-", dir=parent))


def run_demo(
    work_dir: Path,
    start: date = date(2007, 1, 3),
    end: date = date(2017, 11, 10),
    on_start: Callable[[int], None] | None = None,
    on_session: Callable[[date], None] | None = None,
) -> DemoResult:
    """Run the demo into ``work_dir`` (which must be empty or absent)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    database = work_dir / "microfolio.db"
    market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    store = Store.open(f"sqlite:///{database}")
    store.migrate()
    ids = SequentialIds()
    with store.unit_of_work() as uow:
        uow.add_assets(load_universe())
        uow.add_household(SAMPLE_HOUSEHOLD)
        for sample in SAMPLE_ACCOUNTS:
            uow.add_account(sample.account)

    broker = SimulatedBroker(MarketOpenPrices(market), CostModel(), ids)
    cycle = DailyCycle(
        store=store,
        broker=broker,
        market=market,
        model=InverseVolModel(DEMO_TICKERS),
        planner=Planner(RebalancePolicy(), ids),
        ids=ids,
    )
    backtest = Backtest(cycle, broker, market.sessions)
    if on_start is not None:
        sessions = market.sessions
        inside = (sessions >= pd.Timestamp(start)) & (sessions <= pd.Timestamp(end))
        on_start(int(inside.sum()))
    result = backtest.run(
        {s.account.account_id: s.deposits for s in SAMPLE_ACCOUNTS}, start, end, on_session
    )
    trades_path = work_dir / "trades.csv"
    write_trade_log(store, trades_path)
    store.dispose()

    names = {s.account.account_id: s.account.name for s in SAMPLE_ACCOUNTS}
    summaries = {names[a]: run.summary() for a, run in result.accounts.items()}
    report = write_backtest_report(
        work_dir / "report.html",
        title="microfolio demo: inverse-volatility model, monthly deposits, 2007-2017",
        summaries=summaries,
        values={names[a]: r.values for a, r in result.accounts.items()},
        flows={names[a]: r.flows for a, r in result.accounts.items()},
        weights={names[a]: r.weights for a, r in result.accounts.items()},
        notes=(
            f"Data: bundled ETF bars, source version {market.source_version}, after the "
            f"validation gate {market.data_version} ({len(market.issues)} findings, none "
            "blocking; short gaps repaired); "
            f"{result.sessions} sessions from {result.start} to {result.end}.",
            f"Model: inverse volatility over {', '.join(DEMO_TICKERS)} (252-session lookback, "
            "re-estimated on the first session of each month, 0.5% cash).",
            "Rebalancing: cash flows first, then a 3% drift band; orders fill at the next "
            "session's open with a 2 bp half-spread and a 1 bp commission.",
            "Returns are time-weighted: deposits are not performance.",
        ),
    )
    summary_path = work_dir / "summary.json"
    payload = {
        "work_dir": str(work_dir),
        "database": str(database),
        "report": str(report),
        "trades": str(trades_path),
        "data_version": market.data_version,
        "source_version": market.source_version,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "sessions": result.sessions,
        "accounts": {name: s.to_dict() for name, s in summaries.items()},
    }
    tmp = summary_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2))
    tmp.replace(summary_path)
    return DemoResult(
        work_dir, database, report, summary_path, result, summaries, market.data_version
    )
