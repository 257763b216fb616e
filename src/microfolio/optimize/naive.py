"""Naive allocations: equal weight and inverse volatility.

Both have a closed form. Per-asset bounds are met by *clip and redistribute*: the weights become
``w_i = clip(s * t_i, lower_i, upper_i)`` for the raw target ``t`` (equal, or one over
volatility) and the one scale ``s`` that makes them sum to the amount invested (``1 - min_cash``).
This is where the familiar loop "clip the assets that break a bound, hand the excess to the
others in proportion to their targets, repeat" ends; it is found exactly, by sorting the
breakpoints of the piecewise-linear sum, not by iterating. Group limits and turnover caps need
an optimiser and are refused.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError, InfeasibleError, InvariantError, OptimizationError
from microfolio.estimate import TRADING_DAYS, CovarianceEstimator
from microfolio.optimize.base import BaseOptimizer, Solution
from microfolio.optimize.constraints import Constraints, ResolvedConstraints

__all__ = ["EqualWeight", "InverseVolatility", "clip_redistribute"]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def clip_redistribute(target: Floats, lower: Floats, upper: Floats, budget: float) -> Floats:
    """Weights ``clip(s * target, lower, upper)`` summing to ``budget``, for the one scale s.

    ``target`` is non-negative. The sum is non-decreasing and piecewise linear in ``s``, with
    breakpoints where an asset reaches a bound; the scale is found exactly between the two
    breakpoints that bracket the budget. Raises InfeasibleError when no scale reaches it (assets
    with a zero target cannot move off their clipped zero).
    """
    target = np.asarray(target, dtype=float)
    # where an asset with a zero target ends, whatever the scale
    fixed: Floats = np.clip(np.zeros_like(target), lower, upper)
    moving = target > 0
    if not moving.any():
        raise InfeasibleError("no asset has a positive target weight to scale")
    t, lo, hi = target[moving], lower[moving], upper[moving]
    rest = float(fixed[~moving].sum())

    def total(scale: Floats) -> Floats:
        clipped: Floats = np.clip(np.multiply.outer(scale, t), lo, hi)
        summed: Floats = clipped.sum(axis=-1) + rest
        return summed

    # below the smallest breakpoint every moving asset sits at max(lower, 0); above the largest,
    # at its upper bound: the reachable range
    breaks = np.unique(np.concatenate([np.maximum(lo, 0.0) / t, hi / t, [0.0]]))
    breaks = breaks[breaks >= 0.0]
    low_total = float(total(np.array([0.0]))[0])
    high_total = float(hi.sum()) + rest
    tol = 1e-12 * max(1.0, abs(budget))
    if budget < low_total - tol or budget > high_total + tol:
        raise InfeasibleError(
            f"bounds let the {int(moving.sum())} weighted assets hold between {low_total:.4f} "
            f"and {high_total:.4f}, not the {budget:.4f} to invest"
        )
    # f(breakpoint) in chunks (memory stays O(n * chunk)), then the first breakpoint >= budget
    values = np.concatenate([total(breaks[i : i + 256]) for i in range(0, len(breaks), 256)])
    k = int(np.searchsorted(values, budget - tol, side="left"))
    if k >= len(breaks):
        k = len(breaks) - 1
    if k == 0:
        scale = float(breaks[0])
    else:
        s0, s1, f0, f1 = breaks[k - 1], breaks[k], values[k - 1], values[k]
        scale = float(s1 if f1 == f0 else s0 + (budget - f0) * (s1 - s0) / (f1 - f0))
    out: Floats = fixed.copy()
    out[moving] = np.clip(scale * t, lo, hi)
    # one rounding pass: the free assets absorb the last ulps so the sum is exact
    free = moving.copy()
    free[moving] = (out[moving] > lo) & (out[moving] < hi)
    gap = budget - float(out.sum())
    if free.any() and gap != 0.0:
        out[free] += gap * target[free] / target[free].sum()
    return out


def _resolve(
    constraints: Constraints | None, tickers: list[str], method: str
) -> ResolvedConstraints:
    resolved = (constraints or Constraints()).resolve(tickers)
    if resolved.group_names or resolved.max_turnover is not None:
        raise InvariantError(
            f"{method} supports per-asset bounds and min_cash only; group limits and turnover "
            "caps need an optimiser (min_variance, max_sharpe, ...)"
        )
    return resolved


def _allocate(
    target: Floats, resolved: ResolvedConstraints, method: str
) -> tuple[Floats, tuple[str, ...]]:
    """Scale ``target`` to the budget; clip and redistribute if a bound breaks."""
    budget = resolved.budget
    raw = target / target.sum() * budget
    tol = 1e-12
    if np.all(raw >= resolved.lower - tol) and np.all(raw <= resolved.upper + tol):
        return raw, ("closed_form: ok",)
    try:
        weights = clip_redistribute(target, resolved.lower, resolved.upper, budget)
    except InfeasibleError as exc:
        raise InfeasibleError(f"{method}: {exc}") from exc
    bound = int(
        np.sum(np.isclose(weights, resolved.lower, rtol=0, atol=1e-12))
        + np.sum(np.isclose(weights, resolved.upper, rtol=0, atol=1e-12))
    )
    return weights, ("closed_form: bounds break", f"clip_redistribute: ok ({bound} at a bound)")


class EqualWeight(BaseOptimizer):
    """The same weight in every asset: ``(1 - min_cash) / n``.

    Parameters
    ----------
    constraints:
        per-asset bounds (met by clip and redistribute, see the module docstring) and
        ``min_cash`` (the cash weight). None means long-only, fully invested.
    cov_estimator:
        only for ``explain()`` (volatility and risk contributions); None means the sample
        covariance.
    """

    needs_mu = False
    method = "equal"

    def __init__(
        self,
        constraints: Constraints | None = None,
        cov_estimator: CovarianceEstimator | None = None,
    ) -> None:
        self.constraints = constraints
        self.cov_estimator = cov_estimator

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        constraints = self.constraints or Constraints()
        resolved = _resolve(constraints, tickers, self.method)
        weights, chain = _allocate(np.ones(len(tickers)), resolved, self.method)
        return Solution(weights, constraints.min_cash, chain[-1].split(":")[0], chain)


class InverseVolatility(BaseOptimizer):
    """Weights proportional to ``1 / sigma_i``, scaled so that weights plus cash sum to one.

    Parameters
    ----------
    cash:
        the weight kept in cash (a buffer for costs and rounding), in [0, 1); a shortcut for
        ``Constraints(min_cash=cash)``. Giving both with different non-zero values is an error.
    min_observations:
        in ``fit``, an asset needs at least this many non-missing returns (and a positive
        volatility) to be weighted; assets with fewer (funds that listed late, even not at all
        in the window) get weight 0.
    constraints:
        per-asset bounds (clip and redistribute, see the module docstring) and ``min_cash``.

    ``fit(returns)`` takes each asset's volatility from all of its own returns (missing returns
    skipped, ``ddof=1``), so a late listing does not shorten the others' history; the
    correlations used by ``explain()`` come from the rows where every weighted asset has a
    return. ``fit_moments(cov)`` uses ``sqrt(diag(cov))`` and weights every asset with a positive
    variance.

    Fitted attributes: those of :class:`BaseOptimizer`, plus ``volatility_`` (Series: each
    asset's periodic, not annualised, volatility; only after ``fit``).
    """

    needs_mu = False
    method = "inverse_vol"

    #: set by ``fit`` for the duration of its solve: the assets with enough history
    _usable: Bools | None = None

    def __init__(
        self,
        cash: float = 0.0,
        min_observations: int = 60,
        constraints: Constraints | None = None,
    ) -> None:
        self.cash = cash
        self.min_observations = min_observations
        self.constraints = constraints

    def _constraints(self) -> Constraints:
        if not 0.0 <= self.cash < 1.0:
            raise InvariantError(f"cash must be in [0, 1), got {self.cash}")
        given = self.constraints or Constraints()
        if self.cash and given.min_cash and not math.isclose(self.cash, given.min_cash):
            raise InvariantError(
                f"cash={self.cash} and constraints.min_cash={given.min_cash} disagree: give one"
            )
        if self.cash and not given.min_cash:
            return dataclasses.replace(given, min_cash=self.cash)
        return given

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        """Volatilities from each asset's own returns; assets short of history get weight 0."""
        if not isinstance(returns, pd.DataFrame):
            raise DataFormatError(f"returns must be a DataFrame, got {type(returns).__name__}")
        if returns.shape[1] == 0:
            raise DataFormatError("returns have no columns (no assets)")
        if not returns.columns.is_unique:
            raise DataFormatError("returns have duplicate columns")
        values = returns.to_numpy(dtype=float)
        if np.isinf(values).any():
            raise DataFormatError("returns contain infinite values")
        present = ~np.isnan(values)
        counts = present.sum(axis=0)
        volatility = returns.std(ddof=1)
        std = volatility.to_numpy(dtype=float)
        usable = (counts >= self.min_observations) & np.isfinite(std) & (std > 0)
        if not usable.any():
            raise OptimizationError(
                f"inverse volatility: no asset has {self.min_observations} returns with "
                f"positive volatility (tickers: {', '.join(map(str, returns.columns))})"
            )
        sigma = _covariance_with_own_volatility(values, std, usable) * TRADING_DAYS
        tickers = [str(c) for c in returns.columns]
        self._usable = usable
        try:
            self.fit_moments(pd.DataFrame(sigma, index=tickers, columns=tickers))
        finally:
            self._usable = None
        self.volatility_ = volatility
        return self

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        constraints = self._constraints()
        resolved = _resolve(constraints, tickers, self.method)
        variance = np.diag(cov).copy()
        mask = variance > 0
        if self._usable is not None:
            mask &= self._usable
        if not mask.any():
            raise OptimizationError("inverse volatility: every asset has zero variance")
        target = np.zeros(len(tickers))
        target[mask] = 1.0 / np.sqrt(variance[mask])
        weights, chain = _allocate(target, resolved, self.method)
        return Solution(weights, constraints.min_cash, chain[-1].split(":")[0], chain)


def _covariance_with_own_volatility(values: Floats, std: Floats, usable: Bools) -> Floats:
    """Periodic covariance: correlations of the usable assets on their common rows, scaled by
    each asset's own volatility; assets left out keep their own variance and no covariance."""
    n = values.shape[1]
    own = np.where(np.isfinite(std), std, 0.0)
    corr = np.eye(n)
    rows = values[:, usable]
    rows = rows[~np.isnan(rows).any(axis=1)]
    if len(rows) >= 3 and usable.sum() > 1:
        centred = rows - rows.mean(axis=0)
        scale = np.sqrt((centred**2).sum(axis=0))
        with np.errstate(invalid="ignore", divide="ignore"):
            sub = (centred.T @ centred) / np.outer(scale, scale)
        sub = np.where(np.isfinite(sub), np.clip(sub, -1.0, 1.0), 0.0)
        np.fill_diagonal(sub, 1.0)
        corr[np.ix_(usable, usable)] = sub
    out: Floats = corr * np.outer(own, own)
    return out
