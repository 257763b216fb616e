"""Drift: how far an account's weights are from its target."""

from __future__ import annotations

import math
from collections.abc import Mapping

from microfolio.domain import TargetPortfolio

__all__ = ["drift"]


def drift(weights: Mapping[str, float], cash_weight: float, target: TargetPortfolio) -> float:
    """Half the sum of absolute deviations from the target, cash counted as one more position.

    0 means on target; 1 means nothing in common (for example an account that is all cash and a
    target that is fully invested).
    """
    tickers = set(weights) | set(target.weights)
    deviations = [abs(weights.get(t, 0.0) - target.weights.get(t, 0.0)) for t in tickers]
    deviations.append(abs(cash_weight - target.cash))
    return 0.5 * math.fsum(deviations)
