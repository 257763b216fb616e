"""The demo: a sample household run through the household cycle on the bundled real data.

The household (onboarded from sample questionnaire answers) has three accounts, all at the risk
level the onboarding gave: a taxable account (fractional shares, tax-minimising lots), the
spouse's taxable account (whole shares, HIFO) and a traditional IRA. The whole history is run
twice, the second time with harvesting turned off, so that the tax view can say what harvesting
was worth on this history.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from microfolio.advisor import ModelFamily
from microfolio.backtest import Backtest, BacktestResult, MonthlyDeposits
from microfolio.data import GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.domain import Account, AccountType, Household, LotMethod, SequentialIds
from microfolio.execution import CostModel, MarketOpenPrices, SimulatedBroker
from microfolio.rebalance import (
    AccountPlanner,
    DriftBands,
    HarvestPolicy,
    RebalancePolicy,
    TaxAwarePolicy,
)
from microfolio.reports import write_backtest_report
from microfolio.risk import PerformanceSummary
from microfolio.services.household_cycle import HouseholdCycle
from microfolio.services.onboard import AnswersFile, onboard
from microfolio.services.tax_view import TaxView, tax_view
from microfolio.services.trade_log import write_trade_log
from microfolio.store import Store
from microfolio.tax import SecurityIdentity, TaxRates

__all__ = ["DemoResult", "SampleAccount", "run_demo"]


@dataclass(frozen=True, slots=True)
class SampleAccount:
    account: Account
    deposits: MonthlyDeposits


SAMPLE_HOUSEHOLD = Household("hh-demo", "The Demo Household")
SAMPLE_ANSWERS = AnswersFile.model_validate(
    {
        "questionnaire_version": "v1",
        "answers": {
            "drop_reaction": "hold",
            "portfolio_choice": "minus15_plus20",
            "loss_experience": "held",
            "horizon": "over_15y",
            "income_stability": "stable",
            "net_worth_vs_goal": "half_to_2x",
        },
        "goal": {"type": "retirement", "target_date": "2032-06-30"},
    }
)
SAMPLE_ACCOUNTS = (
    SampleAccount(
        Account(
            "acct-taxable",
            "hh-demo",
            "Taxable (fractional)",
            AccountType.TAXABLE,
            lot_method=LotMethod.TAX_MIN,
        ),
        MonthlyDeposits(initial=Decimal("100000"), monthly=Decimal("1000")),
    ),
    SampleAccount(
        Account(
            "acct-spouse",
            "hh-demo",
            "Spouse taxable (whole shares)",
            AccountType.TAXABLE,
            fractional=False,
            lot_method=LotMethod.HIFO,
        ),
        MonthlyDeposits(initial=Decimal("50000"), monthly=Decimal("500")),
    ),
    SampleAccount(
        Account("acct-ira", "hh-demo", "IRA (fractional)", AccountType.TRADITIONAL_IRA),
        MonthlyDeposits(initial=Decimal("50000"), monthly=Decimal("500")),
    ),
)
#: the tax rates the demo prices trades and computes taxes with (a high-income couple: 35%
#: ordinary, 15% long-term; federal only, our assumption)
TAX = TaxAwarePolicy(short_term_rate=0.35, long_term_rate=0.15)
RATES = TaxRates(ordinary=Decimal("0.35"), long_term=Decimal("0.15"))


@dataclass(frozen=True, slots=True)
class DemoResult:
    work_dir: Path
    database: Path
    report: Path
    summary_path: Path
    backtest: BacktestResult
    summaries: dict[str, PerformanceSummary]
    data_version: str
    risk_level: int
    tax: TaxView


def new_work_dir(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="demo-", dir=parent))


@dataclass(frozen=True, slots=True)
class _Run:
    store: Store
    result: BacktestResult


def _run(
    database: Path,
    market: MarketData,
    family: ModelFamily,
    level: int,
    harvest: bool,
    start: date,
    end: date,
    on_session: Callable[[date], None] | None,
) -> _Run:
    store = Store.open(f"sqlite:///{database}")
    store.migrate()
    ids = SequentialIds()
    with store.unit_of_work() as uow:
        uow.add_assets(load_universe())
        uow.add_household(SAMPLE_HOUSEHOLD)
        for sample in SAMPLE_ACCOUNTS:
            uow.add_account(replace(sample.account, risk_level=level))
    broker = SimulatedBroker(MarketOpenPrices(market), CostModel(), ids)
    tax = TAX.model_copy(update={"harvest": HarvestPolicy(enabled=harvest)})
    cycle = HouseholdCycle(
        store=store,
        broker=broker,
        market=market,
        family=family,
        planner=AccountPlanner(RebalancePolicy(), DriftBands(), tax, ids),
        identity=SecurityIdentity.default(),
        ids=ids,
    )
    backtest = Backtest(cycle, broker, market.sessions)
    schedules = {
        SAMPLE_HOUSEHOLD.household_id: {s.account.account_id: s.deposits for s in SAMPLE_ACCOUNTS}
    }
    return _Run(store, backtest.run(schedules, start, end, on_session))


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
    family = ModelFamily.load()
    onboarded = onboard(SAMPLE_ANSWERS, start)
    level = onboarded.risk_level
    if on_start is not None:
        sessions = market.sessions
        inside = (sessions >= pd.Timestamp(start)) & (sessions <= pd.Timestamp(end))
        on_start(2 * int(inside.sum()))
    main = _run(database, market, family, level, True, start, end, on_session)
    baseline = _run(
        work_dir / "no-harvest.db", market, family, level, False, start, end, on_session
    )
    result = main.result
    trades_path = work_dir / "trades.csv"
    write_trade_log(main.store, trades_path)
    closes = market.view(result.end).last("close")
    prices = {str(t): float(v) for t, v in closes.items() if pd.notna(v)}
    taxable = [s.account.account_id for s in SAMPLE_ACCOUNTS if s.account.account_type.is_taxable]
    view = tax_view(
        main.store,
        baseline.store,
        SAMPLE_HOUSEHOLD.household_id,
        {a: result.accounts[a].values for a in taxable},
        prices,
        RATES,
    )
    main.store.dispose()
    baseline.store.dispose()

    names = {s.account.account_id: s.account.name for s in SAMPLE_ACCOUNTS}
    summaries = {names[a]: run.summary() for a, run in result.accounts.items()}
    target = family.target(level, market.view(result.end))
    report = write_backtest_report(
        work_dir / "report.html",
        title=f"microfolio demo: one household, model {family.version} level {level}, 2007-2017",
        summaries=summaries,
        values={names[a]: r.values for a, r in result.accounts.items()},
        flows={names[a]: r.flows for a, r in result.accounts.items()},
        weights={names[a]: r.weights for a, r in result.accounts.items()},
        notes=(
            f"Data: bundled ETF bars, source version {market.source_version}, after the "
            f"validation gate {market.data_version} ({len(market.issues)} findings, none "
            "blocking; short gaps repaired); "
            f"{result.sessions} sessions from {result.start} to {result.end}.",
            f"Client: sample answers scored {onboarded.profile.score:.1f} "
            f"(questionnaire {onboarded.profile.questionnaire_version}), retirement in 2032: "
            f"risk level {level} of {family.levels[-1]}.",
            f"Model {family.version}: level {level} along the efficient frontier of "
            f"{len(family.asset_classes)} asset classes (equilibrium returns, Ledoit-Wolf "
            "covariance over 3 years, refreshed monthly); on the last session: "
            + ", ".join(f"{c} {w:.1%}" for c, w in target.weights.items() if w > 0.0005)
            + ".",
            "Rebalancing: cash flows first, then class bands of min(3%, 25% of target); taxable "
            "accounts sell gains only when the tracking benefit beats tax and cost, harvest "
            "losses above $100 and 0.5% of the account into the next fund of the class; "
            "orders fill at the next open with a 2 bp half-spread and a 1 bp commission.",
            "Taxes: 35% on short-term gains, 15% on long-term (federal, our assumption); no "
            "dividends are modelled (price data only). Returns are time-weighted.",
        ),
        sections=(("Tax view", view.html()),),
    )
    summary_path = work_dir / "summary.json"
    payload: dict[str, Any] = {
        "work_dir": str(work_dir),
        "database": str(database),
        "report": str(report),
        "trades": str(trades_path),
        "data_version": market.data_version,
        "source_version": market.source_version,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "sessions": result.sessions,
        "model": family.version,
        "risk_level": level,
        "accounts": {name: s.to_dict() for name, s in summaries.items()},
        "tax": view.to_dict(),
    }
    tmp = summary_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2))
    tmp.replace(summary_path)
    return DemoResult(
        work_dir,
        database,
        report,
        summary_path,
        result,
        summaries,
        market.data_version,
        level,
        view,
    )
