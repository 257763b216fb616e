"""Performance of an account with external cash flows: time-weighted returns, risk and costs.

Why time-weighted: a robo-advisor account receives monthly deposits, and "value now over value
then" would count every deposit as performance. Each session's return is measured against the
capital actually at risk that session instead, so deposits and withdrawals are never performance.

Conventions, in one place:

* ``values[t]``: total account value (positions plus cash) at the END of session ``t``.
* ``flows[t]``: external cash flow arriving at the START of session ``t``, before the market
  moves (deposit > 0, withdrawal < 0).
* capital at risk ``base[t] = values[t-1] + flows[t]``, with ``values[-1] = 0``.
* daily return ``r[t] = values[t] / base[t] - 1``. Where nothing is at risk (``base[t] == 0`` and
  ``values[t] == 0``: before the first deposit, or after everything was withdrawn) ``r[t]`` is
  NaN, and such sessions are left out of every statistic rather than counted as flat days.
* annualisation: ``TRADING_DAYS`` sessions for volatility and ratios; calendar days over
  ``DAYS_PER_YEAR`` for CAGR and turnover, counted from the first session with capital at risk
  (``start``) to the last session (``end``).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, InvariantError
from microfolio.estimate.returns import TRADING_DAYS

__all__ = [
    "DAYS_PER_YEAR",
    "TRADING_DAYS",
    "PerformanceSummary",
    "drawdown",
    "summarise",
    "twr_index",
    "twr_returns",
]

DAYS_PER_YEAR = 365.25
#: a daily standard deviation at or below this is numerical noise: the ratio is undefined (NaN)
_FLAT = 1e-12

_Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class PerformanceSummary:
    """Headline numbers of one account over one period; NaN means "undefined", never zero.

    Returns, volatility and drawdown are fractions (0.07 is 7 %). ``turnover`` is annualised
    gross traded notional (buys plus sells, deposits invested included) over the average value,
    so switching everything from one fund to another once a year is 2.0. ``costs_bps`` is total
    costs over the whole period in basis points of the average value (not annualised).
    """

    start: date  #: first session with capital at risk
    end: date  #: last session
    sessions: int  #: sessions with capital at risk
    final_value: float
    net_deposits: float  #: deposits minus withdrawals
    pnl: float  #: final value minus net deposits: money made, not a rate
    average_value: float  #: mean end-of-session value over sessions with capital at risk
    total_return: float  #: time-weighted, compounded
    cagr: float
    volatility: float  #: annualised: sqrt(252) * daily standard deviation (ddof=1)
    sharpe: float
    sortino: float
    max_drawdown: float  #: of the time-weighted index, <= 0
    max_drawdown_peak: date | None
    max_drawdown_trough: date | None
    turnover: float
    total_costs: float
    costs_bps: float
    trades: int
    risk_free: float  #: annual risk-free rate used for Sharpe and Sortino

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvariantError(f"end {self.end} is before start {self.start}")
        if self.sessions < 1:
            raise InvariantError(f"sessions must be >= 1, got {self.sessions}")
        if self.trades < 0:
            raise InvariantError(f"trades must be >= 0, got {self.trades}")
        if not self.final_value >= 0:
            raise InvariantError(f"final_value must be >= 0, got {self.final_value}")
        if not (math.isnan(self.max_drawdown) or -1.0 <= self.max_drawdown <= 0.0):
            raise InvariantError(f"max_drawdown must be in [-1, 0], got {self.max_drawdown}")
        for name in ("turnover", "total_costs", "costs_bps"):
            number = getattr(self, name)
            if number < 0:
                raise InvariantError(f"{name} must be >= 0 or NaN, got {number}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: dates as ISO strings, NaN as None, money to the cent, ratios to 1e-6."""
        ratio = 6
        out: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "sessions": self.sessions,
            "final_value": _rounded(self.final_value, 2),
            "net_deposits": _rounded(self.net_deposits, 2),
            "pnl": _rounded(self.pnl, 2),
            "average_value": _rounded(self.average_value, 2),
            "total_return": _rounded(self.total_return, ratio),
            "cagr": _rounded(self.cagr, ratio),
            "volatility": _rounded(self.volatility, ratio),
            "sharpe": _rounded(self.sharpe, 4),
            "sortino": _rounded(self.sortino, 4),
            "max_drawdown": _rounded(self.max_drawdown, ratio),
            "max_drawdown_peak": _iso(self.max_drawdown_peak),
            "max_drawdown_trough": _iso(self.max_drawdown_trough),
            "turnover": _rounded(self.turnover, 4),
            "total_costs": _rounded(self.total_costs, 2),
            "costs_bps": _rounded(self.costs_bps, 2),
            "trades": self.trades,
            "risk_free": _rounded(self.risk_free, ratio),
        }
        return out


def twr_returns(values: pd.Series, flows: pd.Series) -> pd.Series:
    """Daily time-weighted returns, indexed like ``values``; NaN where nothing was at risk."""
    v, f = _validated(values, flows)
    return pd.Series(_returns(v, f, values.index), index=values.index, name="twr")


def twr_index(returns: pd.Series) -> pd.Series:
    """Growth of 1 invested at the first deposit, from the first session with a return.

    Sessions with nothing at risk (NaN returns) after the start keep the index flat.
    """
    live = returns.to_numpy(dtype=np.float64, na_value=np.nan)
    funded = ~np.isnan(live)
    if not funded.any():
        return pd.Series([], index=returns.index[:0], dtype=np.float64, name="twr_index")
    first = int(np.argmax(funded))
    growth = np.cumprod(1.0 + np.nan_to_num(live[first:], nan=0.0))
    return pd.Series(growth, index=returns.index[first:], name="twr_index")


def drawdown(index: pd.Series, initial: float | None = None) -> pd.Series:
    """Fractional distance below the running peak (0 at a new high, -0.25 when 25 % down).

    ``initial`` is the level before the first observation (1.0 for a growth index that starts
    at the first deposit), so a loss on the very first session counts as a drawdown.
    """
    levels = index.to_numpy(dtype=np.float64)
    peaks = np.maximum.accumulate(levels) if levels.size else levels
    if initial is not None:
        peaks = np.maximum(peaks, initial)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peaks > 0, levels / peaks - 1.0, 0.0)
    return pd.Series(dd, index=index.index, name="drawdown")


def summarise(
    values: pd.Series,
    flows: pd.Series,
    traded: pd.Series | None = None,
    costs: pd.Series | None = None,
    trades: int = 0,
    risk_free: float = 0.0,
) -> PerformanceSummary:
    """Summarise one account: see the module docstring for every convention.

    ``traded`` is gross traded notional per session (buys plus sells, >= 0) and ``costs`` the
    commission plus spread paid per session (>= 0); both aligned with ``values``. Left out, the
    numbers that need them are NaN. ``risk_free`` is an annual rate, compounded to daily.
    """
    v, f = _validated(values, flows)
    traded_total = _optional_total("traded", traded, values)
    costs_total = _optional_total("costs", costs, values)
    trades = _count(trades)
    if not (math.isfinite(risk_free) and risk_free > -1.0):
        raise DataFormatError(f"risk_free must be a finite annual rate > -1, got {risk_free}")

    r = _returns(v, f, values.index)
    funded = ~np.isnan(r)
    if not funded.any():
        raise DataFormatError("values and flows are zero on every session: nothing to measure")
    first = int(np.argmax(funded))
    live = r[funded]
    dates = values.index
    start, end = dates[first], dates[-1]
    years = (end - start) / pd.Timedelta(days=DAYS_PER_YEAR)
    average = float(np.mean(v[funded]))

    growth = float(np.prod(1.0 + live))
    dd = drawdown(twr_index(pd.Series(r, index=dates)), initial=1.0)
    max_dd, peak, trough = _worst_drawdown(dd, start)

    rf_daily = (1.0 + risk_free) ** (1.0 / TRADING_DAYS) - 1.0
    return PerformanceSummary(
        start=start.date(),
        end=end.date(),
        sessions=int(live.size),
        final_value=float(v[-1]),
        net_deposits=float(np.sum(f)),
        pnl=float(v[-1] - np.sum(f)),
        average_value=average,
        total_return=growth - 1.0,
        cagr=_cagr(growth, years),
        volatility=_volatility(live),
        sharpe=_sharpe(live - rf_daily),
        sortino=_sortino(live, rf_daily),
        max_drawdown=max_dd,
        max_drawdown_peak=peak,
        max_drawdown_trough=trough,
        turnover=_per_year(traded_total / average if average > 0 else math.nan, years),
        total_costs=costs_total,
        costs_bps=costs_total / average * 1e4 if average > 0 else math.nan,
        trades=trades,
        risk_free=risk_free,
    )


# --- statistics ---------------------------------------------------------------------------


def _cagr(growth: float, years: float) -> float:
    if years <= 0:
        return math.nan
    if growth <= 0:
        return -1.0
    return float(growth ** (1.0 / years) - 1.0)


def _per_year(total: float, years: float) -> float:
    return total / years if years > 0 else math.nan


def _volatility(r: _Floats) -> float:
    return float(np.std(r, ddof=1) * math.sqrt(TRADING_DAYS)) if r.size >= 2 else math.nan


def _sharpe(excess: _Floats) -> float:
    if excess.size < 2:
        return math.nan
    sd = float(np.std(excess, ddof=1))
    return float(np.mean(excess)) / sd * math.sqrt(TRADING_DAYS) if sd > _FLAT else math.nan


def _sortino(r: _Floats, rf_daily: float) -> float:
    """Mean daily excess return over the downside deviation below a 0 target (all sessions in N)."""
    if r.size < 2:
        return math.nan
    downside = math.sqrt(float(np.mean(np.minimum(r, 0.0) ** 2)))
    if downside <= _FLAT:
        return math.nan
    return float(np.mean(r - rf_daily)) / downside * math.sqrt(TRADING_DAYS)


def _worst_drawdown(dd: pd.Series, start: pd.Timestamp) -> tuple[float, date | None, date | None]:
    """Deepest drawdown with its peak and trough dates.

    Depths within ``_FLAT`` of each other are ties (numerical noise): the trough is the first
    session at the deepest level, the peak the last session at the high-water mark before it, or
    ``start`` when the high-water mark was the first deposit itself.
    """
    depths = dd.to_numpy(dtype=np.float64)
    worst = float(depths.min())
    if worst > -_FLAT:
        return 0.0, None, None
    k = int(np.argmax(depths <= worst + _FLAT))
    at_peak = np.flatnonzero(depths[:k] >= -_FLAT)
    peak = dd.index[at_peak[-1]] if at_peak.size else start
    return max(worst, -1.0), peak.date(), dd.index[k].date()


# --- returns ------------------------------------------------------------------------------


def _returns(v: _Floats, f: _Floats, dates: pd.Index) -> _Floats:
    prev = np.concatenate(([0.0], v[:-1]))
    base = prev + f
    scale = max(float(np.max(np.abs(v))), float(np.max(np.abs(f))), 1.0)
    empty = np.abs(base) <= scale * 1e-12
    overdrawn = ~empty & (base < 0)
    if overdrawn.any():
        i = int(np.argmax(overdrawn))
        raise DataFormatError(
            f"flows[{_day(dates[i])}] = {f[i]:g} withdraws more than the previous value "
            f"{prev[i]:g}: an account cannot go below zero"
        )
    from_nothing = empty & (v > scale * 1e-12)
    if from_nothing.any():
        i = int(np.argmax(from_nothing))
        raise DataFormatError(
            f"values[{_day(dates[i])}] = {v[i]:g} with nothing at risk (previous value "
            f"{prev[i]:g} + flow {f[i]:g}): is a deposit missing from flows?"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(empty, np.nan, v / np.where(empty, 1.0, base) - 1.0)


# --- validation ---------------------------------------------------------------------------


def _validated(values: pd.Series, flows: pd.Series) -> tuple[_Floats, _Floats]:
    v = _floats("values", values, None)
    if not isinstance(values.index, pd.DatetimeIndex):
        raise DataFormatError(
            f"values must be indexed by session dates (DatetimeIndex), "
            f"got {type(values.index).__name__}"
        )
    if not values.index.is_unique:
        dup = values.index[values.index.duplicated()][0]
        raise DataFormatError(f"values index has duplicate session {_day(dup)}")
    if not values.index.is_monotonic_increasing:
        bad = int(np.argmax(np.diff(values.index.asi8) < 0)) + 1
        raise DataFormatError(f"values index is not sorted: {_day(values.index[bad])} comes late")
    if (v < 0).any():
        i = int(np.argmax(v < 0))
        raise DataFormatError(f"values[{_day(values.index[i])}] = {v[i]:g} is negative")
    return v, _floats("flows", flows, values)


def _optional_total(name: str, series: pd.Series | None, values: pd.Series) -> float:
    if series is None:
        return math.nan
    arr = _floats(name, series, values)
    if (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise DataFormatError(f"{name}[{_day(series.index[i])}] = {arr[i]:g} is negative")
    return float(np.sum(arr))


def _floats(name: str, series: object, like: pd.Series | None) -> _Floats:
    if not isinstance(series, pd.Series):
        raise DataFormatError(f"{name} must be a pandas Series, got {type(series).__name__}")
    if like is None and series.empty:
        raise DataFormatError(f"{name} is empty")
    if like is not None and not series.index.equals(like.index):
        raise DataFormatError(f"{name} is misaligned with values: {_mismatch(series, like)}")
    try:
        arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataFormatError(f"{name} must be numeric, got dtype {series.dtype}") from exc
    if not np.isfinite(arr).all():
        i = int(np.argmax(~np.isfinite(arr)))
        raise DataFormatError(
            f"{name}[{_day(series.index[i])}] = {arr[i]} is not finite (use 0 for no amount)"
        )
    return arr


def _count(trades: int) -> int:
    try:
        count = operator.index(trades)  # int or numpy integer, never a float or a bool
    except TypeError:
        count = -1
    if isinstance(trades, bool) or count < 0:
        raise DataFormatError(f"trades must be an int >= 0, got {trades!r}")
    return count


def _mismatch(series: pd.Series, like: pd.Series) -> str:
    a, b = series.index, like.index
    if len(a) != len(b):
        return f"{len(a)} sessions against {len(b)}"
    i = int(np.argmax(a != b))
    return f"session {i} is {_day(a[i])} against {_day(b[i])}"


def _day(stamp: object) -> str:
    return stamp.date().isoformat() if isinstance(stamp, pd.Timestamp) else str(stamp)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _rounded(number: float, digits: int) -> float | None:
    return round(number, digits) if math.isfinite(number) else None
