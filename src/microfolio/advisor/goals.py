"""Goals with a target date, and the glide path that lowers risk as the date nears.

The curve: with ``t`` the years left to the target date, the risk level is

    floor + (start - floor) * min(1, t / ramp_years)

rounded down (so it never exceeds the linear path), with ``floor = min(start, goal floor)``.
It is constant at ``start`` until ``ramp_years`` before the date, falls linearly, and sits at
its floor on and after the date. Per goal type (``GLIDE_RULES``):

| goal           | ramp (years) | floor |
|----------------|--------------|-------|
| retirement     | 15           | 2     |
| education      | 10           | 1     |
| major_purchase | 5            | 1     |
| general        | 5            | 2     |
| emergency_fund | -            | 1, always (min(start, 1) at any date) |
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from microfolio.errors import InvariantError

__all__ = ["GLIDE_RULES", "GlidePath", "GlideRule", "Goal", "GoalType", "years_between"]


class GoalType(StrEnum):
    RETIREMENT = "retirement"
    MAJOR_PURCHASE = "major_purchase"
    EDUCATION = "education"
    GENERAL = "general"
    EMERGENCY_FUND = "emergency_fund"


@dataclass(frozen=True, slots=True)
class GlideRule:
    #: years before the target date at which the risk starts to fall (0: always at the floor)
    ramp_years: float
    #: the risk level at and after the target date
    floor: int


GLIDE_RULES: dict[GoalType, GlideRule] = {
    GoalType.RETIREMENT: GlideRule(ramp_years=15.0, floor=2),
    GoalType.EDUCATION: GlideRule(ramp_years=10.0, floor=1),
    GoalType.MAJOR_PURCHASE: GlideRule(ramp_years=5.0, floor=1),
    GoalType.GENERAL: GlideRule(ramp_years=5.0, floor=2),
    GoalType.EMERGENCY_FUND: GlideRule(ramp_years=0.0, floor=1),
}

_DAYS_PER_YEAR = 365.25


def years_between(start: date, end: date) -> float:
    """Years from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (end - start).days / _DAYS_PER_YEAR


@dataclass(frozen=True, slots=True)
class Goal:
    type: GoalType
    target_date: date

    def years_left(self, as_of: date) -> float:
        return years_between(as_of, self.target_date)


@dataclass(frozen=True, slots=True)
class GlidePath:
    """The risk level of ``goal`` through time, starting from the profile's level ``start``."""

    goal: Goal
    start: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= 10:
            raise InvariantError(f"start must be a risk level on 0-10, got {self.start}")

    @property
    def floor(self) -> int:
        return min(self.start, GLIDE_RULES[self.goal.type].floor)

    def risk_at(self, as_of: date) -> int:
        rule = GLIDE_RULES[self.goal.type]
        if rule.ramp_years <= 0.0:
            return self.floor
        t = max(0.0, self.goal.years_left(as_of))
        fraction = min(1.0, t / rule.ramp_years)
        return math.floor(self.floor + (self.start - self.floor) * fraction + 1e-9)
