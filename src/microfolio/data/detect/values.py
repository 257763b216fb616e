"""Bar-by-bar checks: missing and non-positive prices, duplicate rows, inconsistent OHLC."""

from __future__ import annotations

import numpy as np

from microfolio.data.detect.base import Bars, BoolArray, Finding, fmt_price
from microfolio.data.frames import PRICE_FIELDS
from microfolio.data.issues import IssueKind

__all__ = ["find_duplicates", "find_missing", "find_non_positive", "find_ohlc_inconsistent"]


def _prices(bars: Bars) -> dict[str, np.ndarray]:
    return {"open": bars.open, "high": bars.high, "low": bars.low, "close": bars.close}


def find_missing(bars: Bars) -> list[Finding]:
    """A bar with any of open, high, low or close absent (NaN). Volume may be absent."""
    prices = _prices(bars)
    masks = {f: np.isnan(prices[f]) for f in PRICE_FIELDS}
    rows = np.flatnonzero(np.logical_or.reduce(list(masks.values())))
    return [
        Finding(
            IssueKind.MISSING,
            bars.ticker(r),
            bars.date(r),
            "no " + ", ".join(f for f in PRICE_FIELDS if masks[f][r]),
        )
        for r in rows
    ]


def find_non_positive(bars: Bars) -> list[Finding]:
    """A bar with a price at or below zero (an impossible price for a listed security)."""
    prices = _prices(bars)
    with np.errstate(invalid="ignore"):
        masks = {f: prices[f] <= 0 for f in PRICE_FIELDS}
    rows = np.flatnonzero(np.logical_or.reduce(list(masks.values())))
    return [
        Finding(
            IssueKind.NON_POSITIVE,
            bars.ticker(r),
            bars.date(r),
            ", ".join(f"{f} = {fmt_price(prices[f][r])}" for f in PRICE_FIELDS if masks[f][r]),
        )
        for r in rows
    ]


def find_duplicates(bars: Bars) -> list[Finding]:
    """Two or more rows for one ticker and date; one finding per (ticker, date)."""
    if not len(bars):
        return []
    last_rows = np.flatnonzero(bars.last_of_date)
    repeats_prev = np.append(False, ~bars.last_of_date[:-1])
    rows = np.flatnonzero(~bars.last_of_date | repeats_prev)
    if not len(rows):
        return []
    last = last_rows[np.searchsorted(last_rows, rows)]
    differs = np.zeros(len(rows), dtype=bool)
    for values in (*_prices(bars).values(), bars.volume):
        a, b = values[rows], values[last]
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    starts = np.flatnonzero(~repeats_prev[rows])
    counts = np.diff(np.append(starts, len(rows)))
    any_differs = np.logical_or.reduceat(differs, starts)
    return [
        Finding(
            IssueKind.DUPLICATE,
            bars.ticker(rows[s]),
            bars.date(rows[s]),
            f"{n} rows for one date ({'different' if d else 'identical'} values)",
        )
        for s, n, d in zip(starts, counts, any_differs, strict=True)
    ]


def find_ohlc_inconsistent(bars: Bars, tolerance: float) -> list[Finding]:
    """Low above open or close, high below open or close, or low above high, beyond ``tolerance``.

    ``tolerance`` is relative: adjusted prices are rounded after scaling, so a low a hair above
    the close is rounding, not a fault. Bars with a missing or non-positive price are left to
    ``find_missing`` and ``find_non_positive``.
    """
    o, h, lo, c = bars.open, bars.high, bars.low, bars.close
    up, down = 1.0 + tolerance, 1.0 - tolerance
    with np.errstate(invalid="ignore"):
        low_above: BoolArray = lo > np.fmin(o, c) * up
        high_below: BoolArray = h < np.fmax(o, c) * down
        crossed: BoolArray = lo > h * up
        positive = (o > 0) & (h > 0) & (lo > 0) & (c > 0)
    rows = np.flatnonzero((low_above | high_below | crossed) & positive)
    findings = []
    for r in rows:
        problems = []
        if crossed[r]:
            problems.append(f"low {fmt_price(lo[r])} above high {fmt_price(h[r])}")
        else:
            if low_above[r]:
                problems.append(f"low {fmt_price(lo[r])} above open/close")
            if high_below[r]:
                problems.append(f"high {fmt_price(h[r])} below open/close")
        detail = "; ".join(problems) + f" (open {fmt_price(o[r])}, close {fmt_price(c[r])})"
        findings.append(Finding(IssueKind.OHLC_INCONSISTENT, bars.ticker(r), bars.date(r), detail))
    return findings
