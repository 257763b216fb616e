from datetime import date

import pytest

from microfolio.domain import TargetPortfolio
from microfolio.rebalance import drift


def _target() -> TargetPortfolio:
    return TargetPortfolio(date(2020, 1, 2), {"A": 0.6, "B": 0.4}, cash=0.0, method="test")


def test_drift_is_zero_on_target() -> None:
    assert drift({"A": 0.6, "B": 0.4}, 0.0, _target()) == pytest.approx(0.0)


def test_drift_of_an_all_cash_account_is_one() -> None:
    assert drift({}, 1.0, _target()) == pytest.approx(1.0)


def test_drift_is_half_the_sum_of_absolute_deviations() -> None:
    # A over by 5 points, B under by 7, cash over by 2: (5 + 7 + 2) / 2 = 7 points
    assert drift({"A": 0.65, "B": 0.33}, 0.02, _target()) == pytest.approx(0.07)


def test_drift_counts_holdings_outside_the_target() -> None:
    assert drift({"A": 0.5, "B": 0.4, "C": 0.1}, 0.0, _target()) == pytest.approx(0.1)
