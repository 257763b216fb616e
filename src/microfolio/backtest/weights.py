"""A vectorised weights backtest for research: target weights in, daily portfolio returns out.

Not for client accounts (the household cycle runs those, with lots, cash and orders): this is
the quick question "what would these weights have earned?", asked of a signal or an optimiser.

Conventions, in one place:

* ``returns``: daily simple returns, sessions x tickers, NaN where a ticker did not trade.
* ``targets``: rebalance session -> target weights by ticker; cash is ``1 - sum(weights)``
  (negative cash is borrowing at the cash rate, negative weights are shorts).
* **Point in time**: a target dated ``t`` is traded at the CLOSE of session ``t`` and earns
  returns from session ``t+1`` on; it never earns ``r[t]``. Between rebalances the weights
  drift with returns (buy and hold).
* the portfolio starts as 1 in cash at the close of the first rebalance date ``t0``; the result
  starts at ``t0``, whose gross return is 0 and net return the cost of the first purchase.
  Sessions before ``t0`` are ignored.
* one-way **turnover** of a rebalance = ``(sum |w_target - w_drifted| + |cash change|) / 2``:
  the fraction of the portfolio replaced, so moving everything from one fund to another is 1.0
  and the first purchase from cash is ``sum |w|``.
* **costs** of a rebalance = ``cost_bps / 1e4 * sum over tickers of |w_target - w_drifted|``
  (cash trades free), a fraction of the value at that close, charged on the rebalance date:
  ``net = (1 + gross) * (1 - costs) - 1``.
* ``cash_rate`` is annual, compounded daily over ``TRADING_DAYS`` sessions a year, earned on the
  cash weight and used as the risk-free rate of the Sharpe and Sortino ratios.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.risk.performance import DAYS_PER_YEAR, TRADING_DAYS, summarise

__all__ = [
    "WeightsBacktestResult",
    "WeightsBacktestSummary",
    "weights_backtest",
]

_Floats = npt.NDArray[np.float64]
#: rebalance session (date, Timestamp or ISO string; ``Any`` as mapping keys are invariant) ->
#: weights by ticker; or a frame of rebalance sessions x tickers, NaN for "not targeted"
Targets = Mapping[Any, pd.Series | Mapping[str, float]] | pd.DataFrame


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightsBacktestSummary:
    """Headline numbers of a weights backtest; fractions (0.07 is 7 %), NaN means undefined.

    Return, risk and ratio figures are those of ``risk.summarise`` on the net wealth index.
    """

    start: date  #: first rebalance session (capital deployed at its close)
    end: date  #: last session
    sessions: int  #: sessions in the net return series, ``start`` included
    rebalances: int
    total_return: float  #: net of costs, compounded
    cagr: float  #: geometric, over calendar days / 365.25
    volatility: float  #: annualised: sqrt(252) * daily standard deviation
    sharpe: float  #: of daily returns in excess of the cash rate, annualised
    sortino: float
    max_drawdown: float  #: <= 0
    turnover: float  #: average annual one-way turnover, the first purchase from cash left out
    costs: float  #: average annual costs as a fraction of value, the first purchase included
    hit_rate_days: float  #: share of sessions after ``start`` with a net return > 0
    hit_rate_months: float  #: share of calendar months with a compounded net return > 0
    cash_rate: float

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvariantError(f"end {self.end} is before start {self.start}")
        if self.rebalances < 1:
            raise InvariantError(f"rebalances must be >= 1, got {self.rebalances}")


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightsBacktestResult:
    """Daily returns, weights, turnover and costs of a weights backtest (see the module doc)."""

    returns: pd.Series  #: daily net returns from the first rebalance session
    gross_returns: pd.Series  #: daily returns before costs
    weights: pd.DataFrame  #: target weights set at each rebalance close (tickers targeted)
    drifted: pd.DataFrame  #: weights just before each rebalance (drifted since the previous)
    turnover: pd.Series  #: one-way turnover per rebalance
    costs: pd.Series  #: costs per rebalance, fraction of the value at that close
    cost_bps: float
    cash_rate: float

    @property
    def cash(self) -> pd.Series:
        """Cash weight set at each rebalance: ``1 - sum(weights)``."""
        return (1.0 - self.weights.sum(axis=1)).rename("cash")

    def wealth(self, initial: float = 1.0) -> pd.Series:
        """Net value of ``initial`` invested at the close of the first rebalance session."""
        return (initial * (1.0 + self.returns).cumprod()).rename("wealth")

    def summary(self) -> WeightsBacktestSummary:
        net = self.returns
        values = self.wealth()
        flows = pd.Series(0.0, index=net.index)
        flows.iloc[0] = 1.0
        perf = summarise(values, flows, risk_free=self.cash_rate)
        years = (net.index[-1] - net.index[0]) / pd.Timedelta(days=DAYS_PER_YEAR)
        later = net.to_numpy()[1:]
        months = pd.DatetimeIndex(net.index).to_period("M")
        monthly = (1.0 + net).groupby(months).prod() - 1.0
        return WeightsBacktestSummary(
            start=perf.start,
            end=perf.end,
            sessions=perf.sessions,
            rebalances=int(self.turnover.size),
            total_return=perf.total_return,
            cagr=perf.cagr,
            volatility=perf.volatility,
            sharpe=perf.sharpe,
            sortino=perf.sortino,
            max_drawdown=perf.max_drawdown,
            turnover=float(self.turnover.iloc[1:].sum()) / years if years > 0 else math.nan,
            costs=float(self.costs.sum()) / years if years > 0 else math.nan,
            hit_rate_days=float(np.mean(later > 0.0)) if later.size else math.nan,
            hit_rate_months=float(np.mean(monthly.to_numpy() > 0.0)),
            cash_rate=self.cash_rate,
        )


def weights_backtest(
    returns: pd.DataFrame,
    targets: Targets,
    cost_bps: float = 10.0,
    cash_rate: float = 0.0,
    missing: Literal["raise", "zero"] = "raise",
) -> WeightsBacktestResult:
    """Hold ``targets`` from each rebalance close to the next, drifting, net of costs.

    ``cost_bps`` is one-way, per dollar traded. A NaN return on a day a ticker is held is
    refused, naming the ticker and the day, unless ``missing="zero"`` (the day counts as flat).
    """
    r, sessions, tickers = _returns(returns)
    if not (math.isfinite(cost_bps) and cost_bps >= 0.0):
        raise DataFormatError(f"cost_bps must be finite and >= 0, got {cost_bps}")
    if not (math.isfinite(cash_rate) and cash_rate > -1.0):
        raise DataFormatError(f"cash_rate must be a finite annual rate > -1, got {cash_rate}")
    if missing not in ("raise", "zero"):
        raise DataFormatError(f"missing must be 'raise' or 'zero', got {missing!r}")
    plan = _targets(targets, sessions, tickers)
    rows = sessions.get_indexer(plan.index)
    cash_daily = (1.0 + cash_rate) ** (1.0 / TRADING_DAYS) - 1.0
    rate = cost_bps / 1e4

    t0 = int(rows[0])
    n = len(sessions) - t0
    gross = np.zeros(n)
    cost_at = np.zeros(n)
    target = plan.to_numpy(dtype=np.float64)
    drifted = np.zeros_like(target)
    turnover = np.zeros(len(rows))
    costs = np.zeros(len(rows))
    held = np.zeros(len(tickers))  # drifted weights: all cash before the first rebalance
    for k, row in enumerate(int(i) for i in rows):
        drifted[k] = held
        trade = target[k] - held
        traded = float(np.sum(np.abs(trade)))
        turnover[k] = (traded + abs(float(np.sum(trade)))) / 2.0
        costs[k] = rate * traded
        cost_at[row - t0] = costs[k]
        end = int(rows[k + 1]) if k + 1 < len(rows) else len(sessions) - 1
        if end > row:
            block = _segment(r, row, end, target[k], sessions, tickers, plan.index[k], missing)
            growth, held = _hold(block, target[k], cash_daily, sessions[row + 1 : end + 1])
            gross[row + 1 - t0 : end + 1 - t0] = growth
        else:
            held = target[k]

    index = sessions[t0:]
    net = (1.0 + gross) * (1.0 - cost_at) - 1.0
    picks = np.flatnonzero((target != 0.0).any(axis=0))  # the tickers ever targeted
    columns = tickers[picks]
    return WeightsBacktestResult(
        returns=pd.Series(net, index=index, name="net"),
        gross_returns=pd.Series(gross, index=index, name="gross"),
        weights=pd.DataFrame(target[:, picks], index=plan.index, columns=columns),
        drifted=pd.DataFrame(drifted[:, picks], index=plan.index, columns=columns),
        turnover=pd.Series(turnover, index=plan.index, name="turnover"),
        costs=pd.Series(costs, index=plan.index, name="costs"),
        cost_bps=float(cost_bps),
        cash_rate=float(cash_rate),
    )


# --- simulation -----------------------------------------------------------------------------


def _segment(
    r: _Floats,
    row: int,
    end: int,
    weights: _Floats,
    sessions: pd.DatetimeIndex,
    tickers: pd.Index,
    set_on: pd.Timestamp,
    missing: str,
) -> _Floats:
    """Returns of sessions ``row+1 .. end`` with the held tickers' gaps checked or zeroed."""
    block = r[row + 1 : end + 1]
    on = weights != 0.0
    gaps = np.isnan(block) & on
    if gaps.any() and missing == "raise":
        i, j = np.argwhere(gaps)[0]
        raise DataFormatError(
            f"returns[{tickers[j]!s}] is NaN on {_day(sessions[row + 1 + i])} while weight "
            f"{weights[j]:g} set on {_day(set_on)} is held: pass missing='zero' to count it flat"
        )
    bad = on & ~np.isnan(block) & ~((block >= -1.0) & np.isfinite(block))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataFormatError(
            f"returns[{tickers[j]!s}] = {block[i, j]:g} on {_day(sessions[row + 1 + i])} "
            "is not a simple return (finite, >= -1)"
        )
    return np.where(on, np.nan_to_num(block, nan=0.0), 0.0)


def _hold(
    block: _Floats, weights: _Floats, cash_daily: float, days: pd.DatetimeIndex
) -> tuple[_Floats, _Floats]:
    """Daily returns of buy-and-hold ``weights`` over ``block``, and the drifted end weights."""
    growth = np.cumprod(1.0 + block, axis=0)  # value of 1 put in each ticker at the close
    steps = np.arange(1, block.shape[0] + 1, dtype=np.float64)
    value = growth @ weights + (1.0 - float(np.sum(weights))) * (1.0 + cash_daily) ** steps
    broke = value <= 0.0
    if broke.any():
        raise DataFormatError(
            f"the portfolio is worth nothing on {_day(days[int(np.argmax(broke))])}: "
            "leverage or shorts lost more than the capital"
        )
    daily = value / np.concatenate(([1.0], value[:-1])) - 1.0
    return daily, growth[-1] * weights / value[-1]


# --- validation -------------------------------------------------------------------------------


def _returns(returns: object) -> tuple[_Floats, pd.DatetimeIndex, pd.Index]:
    if not isinstance(returns, pd.DataFrame):
        raise DataFormatError(f"returns must be a pandas DataFrame, got {type(returns).__name__}")
    if returns.empty:
        raise DataFormatError(f"returns is empty (shape {returns.shape})")
    sessions = returns.index
    if not isinstance(sessions, pd.DatetimeIndex):
        raise DataFormatError(
            f"returns must be indexed by session dates (DatetimeIndex), "
            f"got {type(sessions).__name__}"
        )
    if not sessions.is_unique:
        raise DataFormatError(
            f"returns index has duplicate session {_day(sessions[sessions.duplicated()][0])}"
        )
    if not sessions.is_monotonic_increasing:
        late = int(np.argmax(np.diff(sessions.asi8) < 0)) + 1
        raise DataFormatError(f"returns index is not sorted: {_day(sessions[late])} comes late")
    if not returns.columns.is_unique:
        dup = returns.columns[returns.columns.duplicated()][0]
        raise DataFormatError(f"returns has duplicate ticker column {dup!r}")
    try:
        values = returns.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataFormatError("returns must be numeric (daily simple returns)") from exc
    return values, sessions, returns.columns


def _targets(targets: Targets, sessions: pd.DatetimeIndex, tickers: pd.Index) -> pd.DataFrame:
    """Targets as a frame: rebalance sessions (sorted) x all tickers, 0 where not targeted."""
    if isinstance(targets, pd.DataFrame):  # a NaN cell is a ticker not targeted that day
        items = [(key, _weights(key, row.dropna())) for key, row in targets.iterrows()]
    elif isinstance(targets, Mapping):
        items = [(key, _weights(key, value)) for key, value in targets.items()]
    else:
        raise DataFormatError(
            f"targets must be a mapping of date -> weights or a DataFrame, "
            f"got {type(targets).__name__}"
        )
    if not items:
        raise DataFormatError("targets is empty: give at least one rebalance date")
    frame = np.zeros((len(items), len(tickers)))
    stamps: list[pd.Timestamp] = []
    for k, (key, weights) in enumerate(items):
        stamp = _session(key, sessions)
        if stamp in stamps:
            raise DataFormatError(f"targets has rebalance date {_day(stamp)} twice")
        stamps.append(stamp)
        unknown = weights.index.difference(tickers)
        if len(unknown):
            raise NotFoundError(
                f"targets[{_day(stamp)}] has ticker {unknown[0]!r} that is not a column of returns"
            )
        if not weights.index.is_unique:
            dup = weights.index[weights.index.duplicated()][0]
            raise DataFormatError(f"targets[{_day(stamp)}] has ticker {dup!r} twice")
        frame[k, tickers.get_indexer(weights.index)] = weights.to_numpy(dtype=np.float64)
    plan = pd.DataFrame(frame, index=pd.DatetimeIndex(stamps), columns=tickers)
    return plan.sort_index()


def _weights(key: object, value: object) -> pd.Series:
    if isinstance(value, pd.Series):
        weights = value
    elif isinstance(value, Mapping):
        weights = pd.Series(dict(value), dtype=object)
    else:
        raise DataFormatError(
            f"targets[{_day(key)}] must be weights by ticker (Series or mapping), "
            f"got {type(value).__name__}"
        )
    try:
        numbers = weights.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataFormatError(f"targets[{_day(key)}] weights must be numbers") from exc
    bad = ~np.isfinite(numbers)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(
            f"targets[{_day(key)}][{weights.index[i]!s}] = {numbers[i]} is not a finite weight"
        )
    return pd.Series(numbers, index=weights.index)


def _session(key: object, sessions: pd.DatetimeIndex) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(key)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise DataFormatError(f"targets key {key!r} is not a date") from exc
    if stamp not in sessions:
        after = sessions[sessions > stamp]
        hint = f"next session {_day(after[0])}" if len(after) else "after the last session"
        raise DataFormatError(
            f"target date {_day(stamp)} is not a session of returns ({hint}): "
            "date targets on the session whose close they trade at"
        )
    return stamp


def _day(stamp: object) -> str:
    return stamp.date().isoformat() if isinstance(stamp, pd.Timestamp) else str(stamp)
