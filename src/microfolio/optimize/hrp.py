"""Hierarchical Risk Parity (Lopez de Prado 2016, "Building diversified portfolios that
outperform out of sample", Journal of Portfolio Management 42(4)).

1. Correlation distance ``d_ij = sqrt((1 - rho_ij) / 2)``; with ``distance="paper"`` the
   clustering uses, as the paper's step 2 and code do, the Euclidean distance between the columns
   of ``d`` instead (most libraries link on ``d`` itself, the default here).
2. Tree clustering with :func:`scipy.cluster.hierarchy.linkage` (``single``, ``complete``,
   ``average`` or ``ward``).
3. Quasi-diagonalisation: the assets in the dendrogram's leaf order.
4. Recursive bisection: each cluster of the leaf order is cut into its first ``len // 2`` and
   remaining assets; the halves share the cluster's weight as ``alpha = 1 - V_left / (V_left +
   V_right)`` and ``1 - alpha``, where ``V`` is the variance of the half's inverse-variance
   portfolio. Every cluster of one depth is split at once with NumPy: the half variances are
   block sums of ``C_ij / (var_i var_j)`` read off one row-wise cumulative sum, so the whole
   bisection is ``O(n^2)`` for the cumulative sum plus ``O(n)`` per depth.

Per-asset bounds use the standard clip of the split factor (as skfolio and Riskfolio-Lib do):
the left half's share is held within ``[sum lower_left, sum upper_left]`` of the amount to split,
then the right half's; with the budget within the bounds' reach this keeps every asset within
its bounds. ``min_cash`` is kept aside: the assets share ``1 - min_cash``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from microfolio.errors import DataFormatError, InvariantError
from microfolio.estimate import CovarianceEstimator
from microfolio.optimize.base import BaseOptimizer, Solution
from microfolio.optimize.constraints import Constraints

__all__ = ["HRP", "hrp_weights"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]

Linkage = Literal["single", "complete", "average", "ward"]
Distance = Literal["correlation", "paper"]

_LINKAGES = ("single", "complete", "average", "ward")
_DISTANCES = ("correlation", "paper")


def correlation_distance(cov: Floats, distance: Distance = "correlation") -> Floats:
    """The condensed distance matrix that the clustering links on."""
    sd = np.sqrt(np.diag(cov))
    # d = sqrt(clip((1 - rho) / 2, 0, 1)), in place on one n x n buffer
    d = cov / sd[:, None]
    d /= sd[None, :]
    np.subtract(1.0, d, out=d)
    d *= 0.5
    np.clip(d, 0.0, 1.0, out=d)
    np.sqrt(d, out=d)
    np.fill_diagonal(d, 0.0)
    if distance == "paper":
        # Euclidean distance between the columns of d, via the Gram matrix
        sq = np.einsum("ij,ij->j", d, d)
        d2 = sq[:, None] + sq[None, :] - 2.0 * (d.T @ d)
        d = np.sqrt(np.clip(d2, 0.0, None))
        np.fill_diagonal(d, 0.0)
    # squareform reads the upper triangle; cov is symmetric to rounding, so d is too
    condensed: Floats = squareform(d, checks=False)
    return condensed


def recursive_bisection(
    cov: Floats,
    order: Ints,
    budget: float = 1.0,
    lower: Floats | None = None,
    upper: Floats | None = None,
) -> Floats:
    """HRP weights for the leaf ``order``, vectorised over every cluster of one depth.

    ``lower``/``upper`` (aligned with ``cov``, not with ``order``) clip the split factors.
    """
    n = len(order)
    var = np.diag(cov)[order]
    inv = 1.0 / var
    scaled = cov.take(order, axis=0).take(order, axis=1)
    scaled *= inv[:, None]
    scaled *= inv[None, :]
    # rowcum[i, j] = sum_{k < j} scaled[i, k]; block sum over [a, b) x [a, b) is
    # sum_{i in [a, b)} rowcum[i, b] - rowcum[i, a]
    rowcum = np.empty((n, n + 1))
    rowcum[:, 0] = 0.0
    np.cumsum(scaled, axis=1, out=rowcum[:, 1:])
    inv_cum = np.concatenate([[0.0], np.cumsum(inv)])
    bounded = lower is not None or upper is not None
    if bounded:
        lo = np.zeros(n) if lower is None else np.asarray(lower, dtype=float)[order]
        # no cap: the most an asset can hold with every other at its floor (finite, so the
        # cumulative sums stay finite)
        hi = budget - lo.sum() + lo if upper is None else np.asarray(upper, dtype=float)[order]
        lo_cum = np.concatenate([[0.0], np.cumsum(lo)])
        hi_cum = np.concatenate([[0.0], np.cumsum(hi)])

    weights = np.empty(n)
    starts = np.array([0])
    ends = np.array([n])
    alloc = np.array([float(budget)])
    while len(starts):
        single = ends - starts == 1
        weights[starts[single]] = alloc[single]
        starts, ends, alloc = starts[~single], ends[~single], alloc[~single]
        if not len(starts):
            break
        mids = starts + (ends - starts) // 2
        # the children, in order: [start, mid) and [mid, end) of every cluster; together they
        # cover the rows of the clusters being split, as contiguous runs
        c_start = np.stack([starts, mids], axis=1).ravel()
        c_end = np.stack([mids, ends], axis=1).ravel()
        lengths = c_end - c_start
        member = np.repeat(np.arange(len(c_start)), lengths)
        idx = _runs(c_start, lengths)
        block = rowcum[idx, c_end[member]] - rowcum[idx, c_start[member]]
        sums = np.bincount(member, weights=block, minlength=len(c_start))
        ivp_total = inv_cum[c_end] - inv_cum[c_start]
        cluster_var = sums / ivp_total**2
        v_left, v_right = cluster_var[0::2], cluster_var[1::2]
        alpha = 1.0 - v_left / (v_left + v_right)
        if bounded:
            # skfolio / Riskfolio-Lib: hold the left share, then the right, within its reach
            # (a cluster with nothing to split keeps nothing, whatever alpha)
            share = np.where(alloc != 0.0, alloc, 1.0)
            left_lo = (lo_cum[mids] - lo_cum[starts]) / share
            left_hi = (hi_cum[mids] - hi_cum[starts]) / share
            right_lo = (lo_cum[ends] - lo_cum[mids]) / share
            right_hi = (hi_cum[ends] - hi_cum[mids]) / share
            alpha = np.minimum(left_hi, np.maximum(left_lo, alpha))
            alpha = 1.0 - np.minimum(right_hi, np.maximum(right_lo, 1.0 - alpha))
        child_alloc = np.stack([alloc * alpha, alloc * (1.0 - alpha)], axis=1).ravel()
        starts, ends, alloc = c_start, c_end, child_alloc
    out = np.empty(n)
    out[order] = weights
    return out


def _runs(starts: Ints, lengths: Ints) -> Ints:
    """The concatenation of ``range(s, s + l)`` for each run, without a Python loop."""
    total = int(lengths.sum())
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    out: Ints = np.arange(total) - offsets + np.repeat(starts, lengths)
    return out


def _row_major(cov: Floats) -> Floats:
    """A C-ordered view of a symmetric matrix: a Fortran-ordered one is its own transpose."""
    if cov.flags.c_contiguous:
        return cov
    if cov.flags.f_contiguous:
        out: Floats = cov.T
        return out
    return np.ascontiguousarray(cov)


def hrp_weights(
    cov: Floats,
    linkage_method: Linkage = "single",
    distance: Distance = "correlation",
    budget: float = 1.0,
    lower: Floats | None = None,
    upper: Floats | None = None,
) -> tuple[Floats, Floats, Ints]:
    """HRP on a covariance matrix: (weights, scipy linkage matrix, leaf order)."""
    cov = _row_major(cov)
    n = cov.shape[0]
    if n == 1:
        return np.array([float(budget)]), np.empty((0, 4)), np.array([0])
    link: Floats = linkage(correlation_distance(cov, distance), method=linkage_method)
    order: Ints = leaves_list(link).astype(np.intp)
    return recursive_bisection(cov, order, budget, lower, upper), link, order


class HRP(BaseOptimizer):
    """Hierarchical Risk Parity (see the module docstring for the algorithm).

    Parameters
    ----------
    linkage:
        the tree-clustering method: ``"single"`` (the paper's), ``"complete"``, ``"average"`` or
        ``"ward"``.
    distance:
        ``"correlation"`` links on ``sqrt((1 - rho) / 2)`` (PyPortfolioOpt, skfolio,
        Riskfolio-Lib); ``"paper"`` on the Euclidean distance between its columns (the paper's
        step 2).
    constraints:
        per-asset bounds (clip of the split factor) and ``min_cash``; group limits and turnover
        caps are refused.
    cov_estimator:
        None means the sample covariance.

    Fitted attributes, beyond :class:`BaseOptimizer`'s: ``linkage_matrix_`` (scipy's) and
    ``leaf_order_`` (tickers in the quasi-diagonal order).
    """

    needs_mu: ClassVar[bool] = False
    method: ClassVar[str] = "hrp"

    linkage_matrix_: Floats
    leaf_order_: list[str]

    def __init__(
        self,
        linkage: Linkage = "single",
        distance: Distance = "correlation",
        constraints: Constraints | None = None,
        cov_estimator: CovarianceEstimator | None = None,
    ) -> None:
        self.linkage = linkage
        self.distance = distance
        self.constraints = constraints
        self.cov_estimator = cov_estimator

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        if self.linkage not in _LINKAGES:
            raise InvariantError(
                f"linkage must be one of {', '.join(_LINKAGES)}, got {self.linkage!r}"
            )
        if self.distance not in _DISTANCES:
            raise InvariantError(
                f"distance must be one of {', '.join(_DISTANCES)}, got {self.distance!r}"
            )
        variance = np.diag(cov)
        flat = [t for t, v in zip(tickers, variance, strict=True) if not v > 0]
        if flat:
            raise DataFormatError(f"hrp: zero variance for {', '.join(flat)}")
        constraints = self.constraints or Constraints()
        resolved = constraints.resolve(tickers)
        if resolved.group_names or resolved.max_turnover is not None:
            raise InvariantError(
                "hrp supports per-asset bounds and min_cash only; group limits and turnover "
                "caps need an optimiser (min_variance, max_sharpe, ...)"
            )
        budget = resolved.budget
        bounded = bool(np.any(resolved.lower != 0.0) or np.any(resolved.upper < budget))
        weights, link, order = hrp_weights(
            cov,
            self.linkage,
            self.distance,
            budget,
            resolved.lower if bounded else None,
            resolved.upper if bounded else None,
        )
        self.linkage_matrix_ = link
        self.leaf_order_ = [tickers[i] for i in order]
        step = "recursive_bisection" + (" with clipped splits" if bounded else "")
        return Solution(weights, constraints.min_cash, "recursive_bisection", (f"{step}: ok",))
