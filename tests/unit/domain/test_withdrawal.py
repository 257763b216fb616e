"""A withdrawal: a positive amount of whole cents, paid once, never before it was requested."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import Withdrawal
from microfolio.errors import InvariantError

REQUESTED = date(2024, 3, 1)


def test_a_withdrawal_is_pending_until_a_paid_copy_is_made() -> None:
    # Arrange
    pending = Withdrawal("wd-1", "acc", REQUESTED, Decimal("1500.25"))
    # Act
    paid = pending.paid_on(date(2024, 3, 4))
    # Assert
    assert not pending.is_paid
    assert pending.paid is None
    assert paid.is_paid
    assert paid == Withdrawal("wd-1", "acc", REQUESTED, Decimal("1500.25"), date(2024, 3, 4))


def test_a_withdrawal_may_be_paid_the_session_it_is_requested() -> None:
    assert (
        Withdrawal("wd-1", "acc", REQUESTED, Decimal("1.00")).paid_on(REQUESTED).paid == REQUESTED
    )


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), "Decimal('0')"),
        (Decimal("-5.00"), "Decimal('-5.00')"),
        (Decimal("1.001"), "Decimal('1.001')"),
        (Decimal("NaN"), "Decimal('NaN')"),
        (Decimal("Infinity"), "Decimal('Infinity')"),
        (100, "100"),
        (1.5, "1.5"),
    ],
)
def test_an_amount_that_is_not_positive_whole_cents_is_refused(amount: object, shown: str) -> None:
    with pytest.raises(
        InvariantError,
        match="withdrawal wd-1: amount must be a positive Decimal of whole cents, got "
        + re.escape(shown)
        + "$",
    ):
        Withdrawal("wd-1", "acc", REQUESTED, amount)  # type: ignore[arg-type]


def test_identifiers_must_be_given() -> None:
    with pytest.raises(InvariantError, match="withdrawal_id must be non-empty"):
        Withdrawal("", "acc", REQUESTED, Decimal("1.00"))
    with pytest.raises(InvariantError, match="withdrawal wd-1: account_id must be non-empty"):
        Withdrawal("wd-1", "", REQUESTED, Decimal("1.00"))


def test_a_withdrawal_is_never_paid_before_it_was_requested_nor_twice() -> None:
    pending = Withdrawal("wd-1", "acc", REQUESTED, Decimal("1.00"))
    with pytest.raises(
        InvariantError, match="cannot be paid on 2024-02-29, before it was requested"
    ):
        pending.paid_on(date(2024, 2, 29))
    with pytest.raises(InvariantError, match="cannot be paid on 2024-02-29"):
        Withdrawal("wd-1", "acc", REQUESTED, Decimal("1.00"), paid=date(2024, 2, 29))
    with pytest.raises(InvariantError, match="withdrawal wd-1 was already paid on 2024-03-01"):
        pending.paid_on(REQUESTED).paid_on(date(2024, 3, 4))
