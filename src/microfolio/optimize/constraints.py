"""Portfolio constraints, resolved against a ticker list and checked for feasibility in words."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from microfolio.errors import InfeasibleError, InvariantError

__all__ = ["Constraints", "ResolvedConstraints"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Constraints:
    """What a portfolio must satisfy. Weights are fractions of the whole account.

    - ``lower``/``upper``: per-asset bounds, one number for all or a mapping by ticker (tickers
      not in the mapping get the default of 0 and 1). Long-only by default.
    - ``groups``: group name to its tickers (for example asset classes), with ``group_lower`` and
      ``group_upper`` floors and caps on the group's total weight.
    - ``current``: current weights (for the turnover cap and transaction costs); missing = 0.
    - ``max_turnover``: cap on sum |w - current| (one-way turnover counted on both sides).
    - ``costs``: linear cost per unit of weight traded (a fraction, e.g. 0.001 = 10 bp), charged
      in the objective: one number for all or a mapping by ticker.
    - ``min_cash``: the cash weight kept aside; the assets share ``1 - min_cash``.
    """

    lower: float | Mapping[str, float] = 0.0
    upper: float | Mapping[str, float] = 1.0
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)
    group_lower: Mapping[str, float] = field(default_factory=dict)
    group_upper: Mapping[str, float] = field(default_factory=dict)
    current: Mapping[str, float] | None = None
    max_turnover: float | None = None
    costs: float | Mapping[str, float] = 0.0
    min_cash: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_cash < 1.0:
            raise InvariantError(f"min_cash must be in [0, 1), got {self.min_cash}")
        if self.max_turnover is not None and self.max_turnover < 0:
            raise InvariantError(f"max_turnover must be >= 0, got {self.max_turnover}")
        for name in (*self.group_lower, *self.group_upper):
            if name not in self.groups:
                raise InvariantError(f"group {name!r} has bounds but no tickers in groups")

    def resolve(self, tickers: Sequence[str]) -> ResolvedConstraints:
        """Arrays aligned with ``tickers``; raises InfeasibleError (in words) if none can hold."""
        n = len(tickers)
        index = {t: i for i, t in enumerate(tickers)}

        def vector(value: float | Mapping[str, float], default: float, what: str) -> Floats:
            if isinstance(value, Mapping):
                unknown = sorted(set(value) - set(index))
                if unknown:
                    raise InvariantError(f"{what} names unknown tickers: {', '.join(unknown)}")
                out = np.full(n, default)
                for ticker, v in value.items():
                    out[index[ticker]] = float(v)
                return out
            return np.full(n, float(value))

        lower = vector(self.lower, 0.0, "lower")
        upper = vector(self.upper, 1.0, "upper")
        costs = vector(self.costs, 0.0, "costs")
        current = None if self.current is None else vector(self.current, 0.0, "current")
        names = tuple(self.groups)
        membership = np.zeros((len(names), n))
        for g, name in enumerate(names):
            unknown = sorted(set(self.groups[name]) - set(index))
            if unknown:
                raise InvariantError(f"group {name!r} names unknown tickers: {', '.join(unknown)}")
            for ticker in self.groups[name]:
                membership[g, index[ticker]] = 1.0
        g_lower = np.array([self.group_lower.get(name, -math.inf) for name in names])
        g_upper = np.array([self.group_upper.get(name, math.inf) for name in names])
        resolved = ResolvedConstraints(
            tickers=tuple(tickers),
            lower=lower,
            upper=upper,
            budget=1.0 - self.min_cash,
            group_names=names,
            membership=membership,
            group_lower=g_lower,
            group_upper=g_upper,
            current=current,
            max_turnover=self.max_turnover,
            costs=costs,
        )
        resolved.check_feasible()
        return resolved


@dataclass(frozen=True, slots=True, eq=False)
class ResolvedConstraints:
    """Constraints as arrays over one ticker list: what the solvers take."""

    tickers: tuple[str, ...]
    lower: Floats
    upper: Floats
    budget: float
    group_names: tuple[str, ...]
    membership: Floats
    group_lower: Floats
    group_upper: Floats
    current: Floats | None
    max_turnover: float | None
    costs: Floats

    @property
    def bounds_only(self) -> bool:
        """Only per-asset bounds and the budget: the fast dedicated solvers apply."""
        return not self.group_names and (self.max_turnover is None) and not np.any(self.costs)

    @property
    def long_only(self) -> bool:
        return bool(np.all(self.lower >= 0.0))

    def check_feasible(self) -> None:
        """Raise InfeasibleError with a sentence when the constraints cannot all hold."""
        tol = 1e-12
        bad = [
            t
            for t, lo, hi in zip(self.tickers, self.lower, self.upper, strict=True)
            if lo > hi + tol
        ]
        if bad:
            raise InfeasibleError(f"lower bound above upper bound for {', '.join(bad)}")
        low_sum, high_sum = float(self.lower.sum()), float(self.upper.sum())
        if low_sum > self.budget + tol:
            raise InfeasibleError(
                f"asset lower bounds sum to {low_sum:.2f}, above the {self.budget:.2f} to invest"
            )
        if high_sum < self.budget - tol:
            raise InfeasibleError(
                f"asset upper bounds sum to {high_sum:.2f}, below the {self.budget:.2f} to invest "
                f"({len(self.tickers)} assets at most {float(self.upper.max()):.2f} each)"
            )
        floors = self.group_lower[np.isfinite(self.group_lower)]
        if floors.sum() > self.budget + tol:
            raise InfeasibleError(
                f"asset-class floors sum to {floors.sum():.2f}, above {self.budget:.2f}"
            )
        for g, name in enumerate(self.group_names):
            members = self.membership[g] > 0
            reach_lo, reach_hi = self.lower[members].sum(), self.upper[members].sum()
            if self.group_lower[g] > reach_hi + tol:
                raise InfeasibleError(
                    f"group {name!r} floor {self.group_lower[g]:.2f} is above what its assets can "
                    f"hold ({reach_hi:.2f})"
                )
            if self.group_upper[g] < reach_lo - tol:
                raise InfeasibleError(
                    f"group {name!r} cap {self.group_upper[g]:.2f} is below its assets' lower "
                    f"bounds ({reach_lo:.2f})"
                )
            if self.group_lower[g] > self.group_upper[g] + tol:
                raise InfeasibleError(
                    f"group {name!r} floor {self.group_lower[g]:.2f} is above its cap "
                    f"{self.group_upper[g]:.2f}"
                )
        if self.max_turnover is not None and self.current is not None:
            # two lower bounds on the turnover any feasible portfolio needs: the distance into
            # the box, and the change in the total invested
            clipped = np.clip(self.current, self.lower, self.upper)
            needed = max(
                float(np.abs(clipped - self.current).sum()),
                abs(float(self.current.sum()) - self.budget),
            )
            if needed > self.max_turnover + 1e-9:
                raise InfeasibleError(
                    f"turnover cap {self.max_turnover:.2f} is below the {needed:.2f} needed just "
                    "to meet the bounds and budget from the current weights"
                )
