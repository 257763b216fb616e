"""Extreme one-day moves: robust outliers (Hampel rule) and split-like jumps.

For each close-to-close log return r (over a ticker's valid closes, one per date):

* **outlier**: ``|r| >= outlier_min_move`` and ``|r - median| >= outlier_mads * 1.4826 * MAD``,
  the median and MAD taken over a centred window of ``outlier_window`` returns of the ticker
  (a Hampel filter). With fewer than ``outlier_min_obs`` returns in the window there is no
  robust scale, and only a doubling or halving counts. A move is *confirmed* when the session's
  volume is at least ``volume_confirm_ratio`` times the median of the previous ``volume_window``
  sessions: news moves prices with volume, a bad print does not. A move of
  ``outlier_unconfirmable_ratio`` or more (up or down) is never confirmed: busy days are common,
  and a 100x print on one must still stop the data. Only unconfirmed outliers are actionable.
* **split_like**: the ratio of closes is within ``split_tolerance`` (log) of 2, 3, 4, 5, 10 or an
  inverse, and the new level holds for ``split_hold_sessions`` (each later close is nearer the
  new level than the old): the signature of an unadjusted split or a price in the wrong unit.
  It is actionable whatever the volume.

A move that comes back (a spike, or a split-like move that reverts within the hold window) is
one finding, dated on its first session; the return that undoes it is not reported again.

Only returns that could qualify (``|r| >= outlier_min_move`` or near a split ratio) are scored,
so the windows are gathered for a few thousand rows, not millions.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from microfolio.data.detect.base import Bars, BoolArray, Finding, FloatArray, IntArray, fmt_price
from microfolio.data.issues import IssueKind
from microfolio.data.policy import GatePolicy

__all__ = ["find_moves"]

_MAD_TO_SD = 1.4826
_MIN_VOLUME_OBS = 5
#: a spike "comes back" when a later close is within a quarter of the move of the old level
_SPIKE_BACK = 0.25


def _segments(codes: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """For each row: the first row of its ticker's block, one past its last, and "is first"."""
    n = len(codes)
    first = np.append(True, codes[1:] != codes[:-1]) if n else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], n)
    block = np.cumsum(first) - 1
    return starts[block], ends[block], first


def _gather(
    values: FloatArray, at: IntArray, offsets: IntArray, lo: IntArray, hi: IntArray
) -> FloatArray:
    """``values[at + offset]`` for each offset, NaN outside ``[lo, hi)`` of each row."""
    index = at[:, None] + offsets[None, :]
    inside = (index >= lo[:, None]) & (index < hi[:, None])
    out: FloatArray = np.where(inside, values[np.clip(index, 0, len(values) - 1)], np.nan)
    return out


def _robust_z(
    r: FloatArray, at: IntArray, lo: IntArray, hi: IntArray, policy: GatePolicy
) -> FloatArray:
    half = policy.outlier_window // 2
    window = _gather(r, at, np.arange(-half, half + 1), lo + 1, hi)
    count = np.sum(~np.isnan(window), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(window, axis=1)
        mad = np.nanmedian(np.abs(window - median[:, None]), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z: FloatArray = (r[at] - median) / (_MAD_TO_SD * mad)
    z[count < policy.outlier_min_obs] = np.nan
    return z


def _volume_ratio(volume: FloatArray, at: IntArray, lo: IntArray, policy: GatePolicy) -> FloatArray:
    past = _gather(volume, at, -np.arange(1, policy.volume_window + 1), lo, at)
    count = np.sum(~np.isnan(past), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(past, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: FloatArray = volume[at] / median
    ratio[count < _MIN_VOLUME_OBS] = np.nan
    return ratio


def _first_return(
    logc: FloatArray, at: IntArray, hi: IntArray, sessions: int, within: float
) -> IntArray:
    """Sessions until a later close is back within ``within`` x the move of the old level.

    0 means it never comes back inside ``sessions``. With ``within`` = 0.5 "back" means nearer
    the old level than the new one (the split hold test); with 0.25 it means most of the move
    is undone (a spike).
    """
    found = np.zeros(len(at), dtype=np.intp)
    reach = within * np.abs(logc[at] - logc[at - 1])
    for step in range(sessions, 0, -1):
        later = at + step
        inside = later < hi
        safe = np.where(inside, later, at)
        back = np.abs(logc[safe] - logc[at - 1]) < reach
        found[inside & back] = step
    return found


def _split_label(r: float, ratios: tuple[float, ...]) -> str:
    k = min(ratios, key=lambda x: abs(abs(r) - math.log(x)))
    return f"{k:g}x" if r > 0 else f"1/{k:g}"


def find_moves(bars: Bars, policy: GatePolicy) -> list[Finding]:
    """Outliers and split-like jumps in each ticker's closes; see the module docstring."""
    rows = bars.series_rows()
    if len(rows) < 2:
        return []
    codes, close, volume = bars.codes[rows], bars.close[rows], bars.volume[rows]
    lo, hi, first = _segments(codes)
    logc = np.log(close)
    r = np.append(np.nan, np.diff(logc))
    r[first] = np.nan
    size = np.abs(r)
    near_split = np.full(len(r), np.inf)
    for split in policy.split_ratios:
        np.fmin(near_split, np.abs(size - math.log(split)), out=near_split)
    with np.errstate(invalid="ignore"):
        candidate = (size >= policy.outlier_min_move) | (near_split <= policy.split_tolerance)
    at = np.flatnonzero(candidate)
    if not len(at):
        return []
    lo_at, hi_at = lo[at], hi[at]
    z = _robust_z(r, at, lo_at, hi_at, policy)
    ratio = _volume_ratio(volume, at, lo_at, policy)
    hold = policy.split_hold_sessions
    revert = _first_return(logc, at, hi_at, hold, within=_SPIKE_BACK)
    undone_split = _first_return(logc, at, hi_at, hold, within=0.5)
    big = size[at] >= policy.outlier_min_move
    scaled = np.where(np.isnan(z), size[at] >= math.log(2.0), np.abs(z) >= policy.outlier_mads)
    split_like = (near_split[at] <= policy.split_tolerance) & (undone_split == 0)
    outlier = big & scaled & ~split_like
    findings: list[Finding] = []
    undone: set[int] = set()
    for k in np.flatnonzero(outlier | split_like):
        i = int(at[k])
        if i in undone:
            continue
        if revert[k]:
            undone.add(i + int(revert[k]))
        findings.append(
            _finding(
                bars, rows, i, close, r, z[k], ratio[k], revert[k], bool(split_like[k]), policy
            )
        )
    return findings


def _finding(
    bars: Bars,
    rows: IntArray,
    i: int,
    close: FloatArray,
    r: FloatArray,
    z: float,
    volume_ratio: float,
    revert: int,
    split_like: bool,
    policy: GatePolicy,
) -> Finding:
    move = f"close {fmt_price(close[i - 1])} -> {fmt_price(close[i])} ({math.expm1(r[i]):+.1%}"
    if split_like:
        move += f", near {_split_label(float(r[i]), policy.split_ratios)}"
        move += f"), holds {policy.split_hold_sessions} sessions"
    else:
        move += ", too little history to scale)" if math.isnan(z) else f", {abs(z):.0f} robust SD)"
        if revert == 1:
            move += ", back the next session"
        elif revert:
            move += f", back after {revert} sessions"
    confirmable = abs(r[i]) < math.log(policy.outlier_unconfirmable_ratio)
    confirmed = confirmable and bool(volume_ratio >= policy.volume_confirm_ratio)
    if math.isnan(volume_ratio):
        known = not math.isnan(bars.volume[rows[i]])
        volume = f"no volume {'history' if known else 'data'} to confirm it"
    else:
        verdict = "confirms" if confirmed else "does not confirm"
        volume = f"volume {volume_ratio:.1f}x its {policy.volume_window}-session median {verdict}"
        if not confirmable:
            volume += f" (no volume confirms a {policy.outlier_unconfirmable_ratio:g}x move)"
    return Finding(
        IssueKind.SPLIT_LIKE if split_like else IssueKind.OUTLIER,
        bars.ticker(rows[i]),
        bars.date(rows[i]),
        f"{move}; {volume}",
        actionable=split_like or not confirmed,
    )
