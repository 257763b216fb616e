"""The missing-data policy of the covariance estimators (late-listed funds have leading NaN).

* ``"complete"`` (the default of every covariance estimator): only rows where every asset has a
  return are used. The result is a true covariance of one sample, positive semi-definite by
  construction, but a fund that listed late shortens the history of all the others.
* ``"pairwise"`` (sample and EWMA covariance only): each entry uses the rows where both of its
  assets have a return, with that pair's own means. Nothing is thrown away, but the matrix can
  be indefinite, so it goes through :func:`~microfolio.estimate.psd.repair_psd` (reported).

``min_periods`` is the fewest rows a (pair of) asset(s) must have in common: fewer is refused
with a message naming the assets with the shortest history, never silently estimated.
Expected-return estimators skip missing returns asset by asset (available cases).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError

__all__ = ["MISSING_POLICIES", "MissingPolicy", "check_pair_counts", "complete_rows"]

Floats = npt.NDArray[np.float64]
MissingPolicy = Literal["complete", "pairwise"]
MISSING_POLICIES: tuple[str, ...] = ("complete", "pairwise")

#: how many short-history assets an error message names
_NAMED = 3


def complete_rows(
    values: Floats, columns: pd.Index, min_periods: int
) -> tuple[Floats, npt.NDArray[np.bool_] | None]:
    """The rows of ``values`` with no missing return, and the mask that picked them (None when
    every row is complete, so no copy is made); refused when fewer than ``min_periods``."""
    missing = np.isnan(values)
    incomplete = missing.any(axis=1)
    keep: npt.NDArray[np.bool_] | None = None
    rows = values
    if incomplete.any():
        keep = np.logical_not(incomplete)
        rows = values[keep]
    if len(rows) < min_periods:
        counts = (~missing).sum(axis=0)
        order = np.argsort(counts, kind="stable")[:_NAMED]
        shortest = ", ".join(f"{columns[i]} ({counts[i]})" for i in order)
        raise DataFormatError(
            f"only {len(rows)} rows have a return for every asset, min_periods={min_periods}; "
            f"shortest histories: {shortest}"
        )
    return rows, keep


def check_pair_counts(counts: Floats, columns: pd.Index, min_periods: int) -> None:
    """Refuse when a pair of assets has fewer than ``min_periods`` returns in common."""
    flat = int(np.argmin(counts))
    i, j = divmod(flat, counts.shape[1])
    fewest = int(counts[i, j])
    if fewest < min_periods:
        who = f"{columns[i]} has" if i == j else f"{columns[i]} and {columns[j]} share"
        raise DataFormatError(
            f"{who} only {fewest} returns, min_periods={min_periods} (missing='pairwise')"
        )
