"""Target portfolios: weights by ticker plus an explicit cash weight."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from microfolio.errors import InvariantError

__all__ = ["TargetPortfolio"]

_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class TargetPortfolio:
    """What an account should hold: weights (floats) that with ``cash`` sum to one."""

    as_of: date
    weights: Mapping[str, float]
    cash: float
    method: str
    fallback_chain: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        for ticker, weight in self.weights.items():
            if not math.isfinite(weight) or weight < -_TOLERANCE:
                raise InvariantError(f"target weight of {ticker} must be >= 0, got {weight}")
        if not math.isfinite(self.cash) or self.cash < -_TOLERANCE:
            raise InvariantError(f"target cash weight must be >= 0, got {self.cash}")
        total = math.fsum(self.weights.values()) + self.cash
        if abs(total - 1.0) > 1e-6:
            raise InvariantError(f"target weights plus cash must sum to 1, got {total:.8f}")
