"""Portfolio constraints, resolved against a ticker list and checked for feasibility in words."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse

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

    @property
    def start(self) -> Floats:
        """The current weights the turnover cap and the costs count from (missing = 0)."""
        return np.zeros(len(self.tickers)) if self.current is None else self.current

    def trading_cost(self, weights: Floats) -> float:
        """The linear transaction cost of moving from the current weights to ``weights``."""
        return float(self.costs @ np.abs(np.asarray(weights, dtype=float) - self.start))

    def violation(self, weights: Floats) -> float:
        """The largest amount by which ``weights`` break a constraint (0 when every one holds):
        budget, bounds, group floors and caps, turnover cap."""
        w = np.asarray(weights, dtype=float)
        gaps = [
            abs(float(w.sum()) - self.budget),
            float(np.max(self.lower - w, initial=0.0)),
            float(np.max(w - self.upper, initial=0.0)),
        ]
        if self.group_names:
            totals = self.membership @ w
            gaps.append(float(np.max(self.group_lower - totals, initial=0.0)))
            gaps.append(float(np.max(totals - self.group_upper, initial=0.0)))
        if self.max_turnover is not None:
            gaps.append(float(np.abs(w - self.start).sum()) - self.max_turnover)
        return max(gaps)

    def closest_feasible(self, anchor: Floats, *, with_turnover: bool = True) -> Floats | None:
        """The portfolio meeting every constraint (the turnover cap only if ``with_turnover``)
        closest to ``anchor`` in summed absolute difference, by a linear program (HiGHS);
        None when there is none."""
        status, weights, _ = self._closest(np.asarray(anchor, dtype=float), with_turnover)
        return None if status != 0 else np.clip(weights, self.lower, self.upper)

    def _closest(self, anchor: Floats, with_turnover: bool) -> tuple[int, Floats, float]:
        """The linear program's status (0 solved, 2 infeasible, else undecided), the weights
        and their summed absolute distance to ``anchor``."""
        n = len(self.tickers)
        eye = sparse.identity(n, format="csr")
        turnover = with_turnover and self.max_turnover is not None
        # variables: w, d >= |w - anchor| (minimised), and t >= |w - start| under the cap
        width = 3 * n if turnover else 2 * n
        grid: list[list[sparse.csr_matrix | None]] = [[eye, -eye], [-eye, -eye]]
        rhs: list[Floats] = [anchor, -anchor]
        for limit, sign in ((self.group_upper, 1.0), (self.group_lower, -1.0)):
            used = np.isfinite(limit)
            if used.any():
                grid.append([sparse.csr_matrix(sign * self.membership[used]), None])
                rhs.append(sign * limit[used])
        if turnover:
            assert self.max_turnover is not None
            grid = [[*cells, None] for cells in grid]
            grid += [[eye, None, -eye], [-eye, None, -eye]]
            grid.append([None, None, sparse.csr_matrix(np.ones((1, n)))])
            rhs += [self.start, -self.start, np.array([self.max_turnover])]
        cost = np.zeros(width)
        cost[n : 2 * n] = 1.0
        a_eq = np.zeros((1, width))
        a_eq[0, :n] = 1.0
        bounds = [
            (None if not np.isfinite(lo) else float(lo), None if not np.isfinite(hi) else float(hi))
            for lo, hi in zip(self.lower, self.upper, strict=True)
        ] + [(0.0, None)] * (width - n)
        result = optimize.linprog(
            cost,
            A_ub=sparse.bmat(grid, format="csr"),
            b_ub=np.concatenate(rhs),
            A_eq=a_eq,
            b_eq=np.array([self.budget]),
            bounds=bounds,
            method="highs",
        )
        if result.status != 0:
            return int(result.status), anchor, math.inf
        return 0, np.asarray(result.x[:n], dtype=float), float(result.fun)

    def check_feasible(self) -> None:
        """Raise InfeasibleError with a sentence when the constraints cannot all hold."""
        tol = 1e-12
        crossed = np.flatnonzero(self.lower > self.upper + tol)
        if crossed.size:
            bad = [self.tickers[i] for i in crossed]
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
        floored = np.isfinite(self.group_lower)
        floors = self.group_lower[floored]
        # floors add up only over disjoint groups (asset classes); overlaps: the joint check
        disjoint = bool(np.all((self.membership[floored] > 0).sum(axis=0) <= 1))
        if disjoint and floors.sum() > self.budget + tol:
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
        if self.max_turnover is not None:
            current = self.start
            # two lower bounds on the turnover any feasible portfolio needs: the distance into
            # the box, and the change in the total invested
            clipped = np.clip(current, self.lower, self.upper)
            needed = max(
                float(np.abs(clipped - current).sum()),
                abs(float(current.sum()) - self.budget),
            )
            if needed > self.max_turnover + 1e-9:
                raise InfeasibleError(
                    f"turnover cap {self.max_turnover:.2f} is below the {needed:.2f} needed just "
                    "to meet the bounds and budget from the current weights"
                )
        if self.group_names or self.max_turnover is not None:
            self._check_jointly()

    def _check_jointly(self) -> None:
        """Each constraint can hold on its own; a linear program checks them all together."""
        status, _, needed = self._closest(self.start, with_turnover=False)
        if status == 2:
            raise InfeasibleError(self._groups_sentence())
        if status == 0 and self.max_turnover is not None and needed > self.max_turnover + 1e-9:
            what = "the bounds, group floors and caps" if self.group_names else "the bounds"
            raise InfeasibleError(
                f"turnover cap {self.max_turnover:.2f} is below the {needed:.2f} needed to meet "
                f"{what} and budget from the current weights"
            )

    def _groups_sentence(self) -> str:
        """Why bounds, groups and budget cannot hold together, as precisely as is cheap."""
        capped = np.isfinite(self.group_upper)
        members = self.membership[capped] > 0
        if capped.any() and bool(np.all(members.sum(axis=0) <= 1)):  # disjoint capped groups
            per_group = np.minimum(self.group_upper[capped], members @ self.upper)
            outside = float(self.upper[~members.any(axis=0)].sum())
            most = float(per_group.sum()) + outside
            if most < self.budget - 1e-9:
                return (
                    f"group caps allow at most {most:.2f} in total (capped groups "
                    f"{float(per_group.sum()):.2f}, other assets {outside:.2f}), below the "
                    f"{self.budget:.2f} to invest"
                )
        floored = np.isfinite(self.group_lower)
        members = self.membership[floored] > 0
        if floored.any() and bool(np.all(members.sum(axis=0) <= 1)):  # disjoint floored groups
            per_group = np.maximum(self.group_lower[floored], members @ self.lower)
            outside = float(self.lower[~members.any(axis=0)].sum())
            least = float(per_group.sum()) + outside
            if least > self.budget + 1e-9:
                return (
                    f"group floors need at least {least:.2f} in total (floored groups "
                    f"{float(per_group.sum()):.2f}, other assets' lower bounds {outside:.2f}), "
                    f"above the {self.budget:.2f} to invest"
                )
        return (
            "the group floors and caps cannot all hold together with the asset bounds and the "
            f"{self.budget:.2f} to invest (overlapping groups ask for more than they can give)"
        )
