"""Apply the policy's repairs and ticker drops to bars, given the issues the gate found.

Repairs never invent a price that was not printed: a bad or missing bar and a short gap become
the previous close carried forward (open = high = low = close, volume 0), a duplicate keeps
its last row, an inconsistent bar has its high and low widened to cover open and close, and a
bar on a closed day is dropped. Each repaired issue stays in the issue list as the record.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.detect import Bars, gap_runs
from microfolio.data.frames import PRICE_FIELDS, canonical_long
from microfolio.data.issues import DataIssue, GateAction, IssueKind

__all__ = ["REPAIR_NOTES", "clean_bars"]

#: how each kind is repaired, as recorded in the issue's detail
REPAIR_NOTES: dict[IssueKind, str] = {
    IssueKind.NON_POSITIVE: "previous close carried forward, volume 0",
    IssueKind.MISSING: "previous close carried forward, volume 0",
    IssueKind.DUPLICATE: "last row kept",
    IssueKind.OHLC_INCONSISTENT: "high and low widened to cover open and close",
    IssueKind.GAP: "previous close carried forward, volume 0",
    IssueKind.OFF_CALENDAR: "bar dropped",
}

_DAY_NS = 86_400_000_000_000
_DAY_OFFSET = 500_000  # keeps day numbers of dates back to 600 AD positive
_KEY_BASE = 1_000_000


def clean_bars(
    bars: pd.DataFrame, issues: Iterable[DataIssue], sessions: pd.DatetimeIndex
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Return the repaired canonical bars and the tickers dropped, in the order documented above.

    Only issues whose action is repair or drop_ticker change anything.
    """
    issues = tuple(issues)
    frame = canonical_long(bars)
    dropped = tuple(sorted({i.ticker for i in issues if i.action is GateAction.DROP_TICKER}))
    if dropped:
        frame = frame[~frame["ticker"].isin(dropped)].reset_index(drop=True)
    repair = {
        kind: [i for i in issues if i.kind is kind and i.action is GateAction.REPAIR]
        for kind in IssueKind
    }
    if not any(repair.values()):
        return frame, dropped
    frame = _drop_rows(frame, repair[IssueKind.OFF_CALENDAR], last_only=False)
    frame = _drop_rows(frame, repair[IssueKind.DUPLICATE], last_only=True)
    frame = _widen(frame, repair[IssueKind.OHLC_INCONSISTENT])
    frame = _carry_bad_bars(frame, [*repair[IssueKind.MISSING], *repair[IssueKind.NON_POSITIVE]])
    frame = _fill_gaps(frame, repair[IssueKind.GAP], sessions)
    return canonical_long(frame.reset_index(drop=True)), dropped


def _keys(frame: pd.DataFrame) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    """One int64 per row identifying its (ticker, date), and the ticker codes used."""
    codes, uniques = pd.factorize(frame["ticker"], sort=True)
    day = frame["date"].to_numpy(dtype="datetime64[ns]").view(np.int64) // _DAY_NS + _DAY_OFFSET
    keys = codes.astype(np.int64) * _KEY_BASE + day
    return keys, {str(t): i for i, t in enumerate(uniques)}


def _issue_keys(issues: list[DataIssue], codes: dict[str, int]) -> npt.NDArray[np.int64]:
    out = [
        codes[i.ticker] * _KEY_BASE + pd.Timestamp(i.date).value // _DAY_NS + _DAY_OFFSET
        for i in issues
        if i.ticker in codes
    ]
    return np.asarray(out, dtype=np.int64)


def _rows(frame: pd.DataFrame, issues: list[DataIssue]) -> npt.NDArray[np.bool_]:
    keys, codes = _keys(frame)
    return np.isin(keys, _issue_keys(issues, codes))


def _drop_rows(frame: pd.DataFrame, issues: list[DataIssue], *, last_only: bool) -> pd.DataFrame:
    """Drop the rows of the issues' (ticker, date); with ``last_only`` keep the last of each."""
    if not issues:
        return frame
    hit = _rows(frame, issues)
    if last_only:
        keys, _ = _keys(frame)
        hit &= np.append(keys[1:] == keys[:-1], False)
    return frame[~hit].reset_index(drop=True)


def _widen(frame: pd.DataFrame, issues: list[DataIssue]) -> pd.DataFrame:
    if not issues:
        return frame
    hit = _rows(frame, issues)
    prices = frame.loc[hit, list(PRICE_FIELDS)]
    out = frame.copy()
    out.loc[hit, "high"] = prices.max(axis=1)
    out.loc[hit, "low"] = prices.min(axis=1)
    return out


def _carry_bad_bars(frame: pd.DataFrame, issues: list[DataIssue]) -> pd.DataFrame:
    """Replace bad bars by the ticker's previous good close; drop them if there is none."""
    if not issues:
        return frame
    bad = _rows(frame, issues)
    codes, _ = pd.factorize(frame["ticker"], sort=True)
    close = frame["close"].to_numpy(dtype=np.float64)
    rows = np.arange(len(frame))
    last_good = np.maximum.accumulate(np.where(bad, -1, rows))
    has_prev = (last_good >= 0) & (codes[np.maximum(last_good, 0)] == codes)
    out = frame.copy()
    fill = bad & has_prev
    carried = close[last_good[fill]]
    for field in PRICE_FIELDS:
        out.loc[fill, field] = carried
    out.loc[fill, "volume"] = 0.0
    kept: pd.DataFrame = out[~(bad & ~has_prev)].reset_index(drop=True)
    return kept


def _fill_gaps(
    frame: pd.DataFrame, issues: list[DataIssue], sessions: pd.DatetimeIndex
) -> pd.DataFrame:
    """Add bars for the sessions of the gaps the issues name, at the last valid close before."""
    if not issues:
        return frame
    bars = Bars(frame)  # same (ticker, date) order and ticker codes as _keys(frame)
    runs = gap_runs(bars, sessions)
    first_day = sessions.to_numpy(dtype="datetime64[ns]")[runs.first].view(np.int64)
    run_keys = bars.codes[runs.before].astype(np.int64) * _KEY_BASE + (
        first_day // _DAY_NS + _DAY_OFFSET
    )
    _, codes = _keys(frame)
    wanted = np.isin(run_keys, _issue_keys(issues, codes))
    before, first, count = runs.before[wanted], runs.first[wanted], runs.count[wanted]
    if not len(before):
        return frame
    rows = np.arange(len(bars))
    last_valid = np.maximum.accumulate(np.where(bars.valid_close, rows, -1))
    carried = last_valid[before]
    same = (carried >= 0) & (bars.codes[np.maximum(carried, 0)] == bars.codes[before])
    close = np.where(same, bars.close[np.maximum(carried, 0)], np.nan)
    source = np.repeat(before, count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    filler = pd.DataFrame(
        {
            "date": sessions[np.repeat(first, count) + offset],
            "ticker": np.asarray(bars.tickers, dtype=object)[bars.codes[source]],
            **dict.fromkeys(PRICE_FIELDS, np.repeat(close, count)),
            "volume": np.zeros(len(source)),
        }
    )
    return pd.concat([bars.frame, filler], ignore_index=True)
