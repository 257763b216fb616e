"""Drift by asset class, with bands that scale with the target weight.

An account's drift is half the sum of absolute deviations from the target, by asset class, cash
counted as one more class (0: on target; 1: nothing in common). A class breaks its band when its
weight is further from its target than ``min(absolute, relative x target)``: 3% for a 40% class,
but 25% of the target (0.75 points) for a 3% class, so small classes are not left to double
before anything happens (the "5/25"-style rule, here 3/25 by default). Cash is not banded: cash
flows handle it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ClassDrift", "DriftBands", "class_drift"]


class DriftBands(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    absolute: float = Field(default=0.03, gt=0.0, lt=1.0)
    relative: float = Field(default=0.25, gt=0.0)

    def tolerance(self, target: float) -> float:
        return min(self.absolute, self.relative * target)


@dataclass(frozen=True, slots=True)
class ClassDrift:
    """Weights, targets and deviations by asset class; ``breaches`` names the classes outside
    their bands, largest excess first."""

    weights: Mapping[str, float]
    targets: Mapping[str, float]
    cash: float
    target_cash: float
    drift: float
    tolerances: Mapping[str, float]
    breaches: tuple[str, ...]

    def deviation(self, asset_class: str) -> float:
        return self.weights.get(asset_class, 0.0) - self.targets.get(asset_class, 0.0)

    def describe(self, asset_class: str) -> str:
        return (
            f"{asset_class} is {self.weights.get(asset_class, 0.0):.2%} against a target of "
            f"{self.targets.get(asset_class, 0.0):.2%} (band +/-{self.tolerances[asset_class]:.2%})"
        )


def class_drift(
    values: Mapping[str, float],
    cash: float,
    targets: Mapping[str, float],
    target_cash: float,
    bands: DriftBands,
    min_value: float = 0.0,
) -> ClassDrift:
    """Drift of class ``values`` (dollars) and ``cash`` from ``targets``.

    A class whose dollar deviation is below ``min_value`` never counts as a breach (it could not
    be traded anyway).
    """
    total = math.fsum(values.values()) + cash
    classes = sorted(set(values) | set(targets))
    if total <= 0:
        weights = dict.fromkeys(classes, 0.0)
        cash_weight = 1.0
    else:
        weights = {c: values.get(c, 0.0) / total for c in classes}
        cash_weight = cash / total
    deviations = [abs(weights[c] - targets.get(c, 0.0)) for c in classes]
    drift = 0.5 * (math.fsum(deviations) + abs(cash_weight - target_cash))
    tolerances = {c: bands.tolerance(targets.get(c, 0.0)) for c in classes}
    excess = {
        c: abs(weights[c] - targets.get(c, 0.0)) - tolerances[c]
        for c in classes
        if abs(weights[c] - targets.get(c, 0.0)) * max(total, 0.0) >= min_value
    }
    breaches = tuple(sorted((c for c, e in excess.items() if e > 1e-12), key=lambda c: -excess[c]))
    return ClassDrift(weights, dict(targets), cash_weight, target_cash, drift, tolerances, breaches)
