"""Goals and their glide paths."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microfolio.advisor import GlidePath, Goal, GoalType
from microfolio.advisor.goals import GLIDE_RULES
from microfolio.errors import InvariantError

TARGET = date(2040, 1, 1)


@given(
    goal_type=st.sampled_from(list(GoalType)),
    start=st.integers(0, 10),
    days=st.lists(st.integers(-2000, 20 * 366), min_size=2, max_size=20),
)
def test_glide_path_never_rises_as_the_date_nears(
    goal_type: GoalType, start: int, days: list[int]
) -> None:
    path = GlidePath(goal=Goal(goal_type, TARGET), start=start)
    # later as_of dates (fewer days left) never have more risk
    levels = [path.risk_at(TARGET - timedelta(days=d)) for d in sorted(days, reverse=True)]

    assert levels == sorted(levels, reverse=True)
    assert all(path.floor <= lv <= start for lv in levels)


@pytest.mark.parametrize("goal_type", list(GoalType))
def test_glide_path_hits_its_floor_at_the_date_and_stays(goal_type: GoalType) -> None:
    path = GlidePath(goal=Goal(goal_type, TARGET), start=9)

    assert path.risk_at(TARGET) == path.floor == GLIDE_RULES[goal_type].floor
    assert path.risk_at(TARGET + timedelta(days=400)) == path.floor


def test_far_from_the_date_the_start_level_holds() -> None:
    path = GlidePath(goal=Goal(GoalType.RETIREMENT, TARGET), start=8)

    assert path.risk_at(date(2020, 1, 1)) == 8
    assert path.risk_at(date(2032, 7, 1)) < 8  # within the 15-year ramp


def test_emergency_fund_is_always_low_risk() -> None:
    path = GlidePath(goal=Goal(GoalType.EMERGENCY_FUND, TARGET), start=10)

    assert {path.risk_at(date(y, 1, 1)) for y in (2000, 2030, 2039, 2045)} == {1}


def test_start_below_the_floor_is_kept() -> None:
    path = GlidePath(goal=Goal(GoalType.RETIREMENT, TARGET), start=0)

    assert path.risk_at(TARGET) == 0


def test_start_outside_the_scale_is_refused() -> None:
    with pytest.raises(InvariantError, match="start"):
        GlidePath(goal=Goal(GoalType.GENERAL, TARGET), start=11)
