"""The last resort: a named portfolio that meets the constraints when any portfolio can.

``equal_weight`` is the allowed portfolio closest to equal weights: with only bounds and the
budget, the Euclidean projection of ``budget / n`` onto ``{1'w = budget, l <= w <= u}``
(``w = clip(budget / n - tau, l, u)`` with ``tau`` found by bisection, then made exact);
otherwise the closest in summed absolute difference, by a linear program (HiGHS) that also
honours the group limits and the turnover cap. It needs neither expected returns nor a
covariance, and no conic solver.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from microfolio.optimize.constraints import ResolvedConstraints
from microfolio.optimize.solvers.active_set import project_budget

__all__ = ["FALLBACKS", "equal_weight"]

Floats = npt.NDArray[np.float64]

#: the named fallback portfolios an optimiser may end on
FALLBACKS: tuple[str, ...] = ("min_variance", "equal_weight")


def equal_weight(rc: ResolvedConstraints) -> Floats | None:
    """The allowed portfolio closest to equal weights, or None if the constraints admit none."""
    n = len(rc.tickers)
    anchor = np.full(n, rc.budget / n)
    if rc.group_names or rc.max_turnover is not None:
        return rc.closest_feasible(anchor)
    return project_budget(anchor, rc.lower, rc.upper, rc.budget)
