"""Cash-flow schedules of a simulation: monthly deposits, and dated withdrawals on top of them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microfolio.backtest import MonthlyDeposits, Withdrawals
from microfolio.errors import InvariantError

JAN_30, JAN_31, FEB_1, FEB_4, FEB_6 = (
    date(2012, 1, 30),
    date(2012, 1, 31),
    date(2012, 2, 1),
    date(2012, 2, 4),
    date(2012, 2, 6),
)
MONTHLY = MonthlyDeposits(initial=Decimal("10000"), monthly=Decimal("500"))


def test_monthly_deposits_pay_the_initial_then_each_new_month_and_never_withdraw() -> None:
    assert MONTHLY.deposit(JAN_30, None) == Decimal("10000")
    assert MONTHLY.deposit(JAN_31, JAN_30) == Decimal("0")
    assert MONTHLY.deposit(FEB_1, JAN_31) == Decimal("500")
    assert MONTHLY.amount(FEB_1, JAN_31) == MONTHLY.deposit(FEB_1, JAN_31)
    assert {MONTHLY.withdrawal(s, p) for s, p in [(JAN_30, None), (FEB_1, JAN_31)]} == {0}


def test_a_withdrawal_is_requested_on_the_first_session_on_or_after_its_date() -> None:
    # Arrange: 4 February is a Saturday: its withdrawal comes on Monday the 6th
    schedule = Withdrawals(MONTHLY, {FEB_4: Decimal("700.50"), JAN_31: Decimal("100")})
    # Act
    requested = {
        session: schedule.withdrawal(session, previous)
        for session, previous in [(JAN_30, None), (JAN_31, JAN_30), (FEB_1, JAN_31), (FEB_6, FEB_1)]
    }
    # Assert
    assert requested == {
        JAN_30: Decimal("0"),
        JAN_31: Decimal("100"),
        FEB_1: Decimal("0"),
        FEB_6: Decimal("700.50"),
    }
    # the deposits are the wrapped schedule's
    assert schedule.deposit(FEB_1, JAN_31) == Decimal("500")
    assert schedule.deposit(JAN_30, None) == Decimal("10000")


def test_withdrawals_dated_in_one_gap_or_before_the_start_come_together() -> None:
    schedule = Withdrawals(
        MONTHLY, {date(2011, 12, 1): Decimal("1.00"), JAN_30: Decimal("2.00"), FEB_1: Decimal("4")}
    )
    assert schedule.withdrawal(JAN_30, None) == Decimal("3.00")
    assert schedule.withdrawal(FEB_6, JAN_30) == Decimal("4")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "must be > 0"),
        (Decimal("-1"), "must be > 0"),
        (Decimal("NaN"), "must be > 0"),
        (Decimal("0.001"), "must be whole cents"),
    ],
)
def test_a_withdrawal_that_is_not_positive_whole_cents_is_refused(
    amount: Decimal, message: str
) -> None:
    with pytest.raises(InvariantError, match=f"withdrawal on 2012-02-01 {message}"):
        Withdrawals(MONTHLY, {FEB_1: amount})
