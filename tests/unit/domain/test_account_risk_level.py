"""An account's risk level: optional, and an integer of 0..10 when set."""

from __future__ import annotations

from dataclasses import replace

import pytest

from microfolio.domain import MAX_RISK_LEVEL, Account
from microfolio.errors import InvariantError


def test_an_account_has_no_risk_level_until_it_is_given_one() -> None:
    account = Account("a1", "hh", "Taxable")

    onboarded = replace(account, risk_level=4)

    assert account.risk_level is None
    assert onboarded.risk_level == 4
    assert onboarded != account


@pytest.mark.parametrize("level", [0, 5, MAX_RISK_LEVEL])
def test_every_level_of_the_model_family_is_accepted(level: int) -> None:
    assert Account("a1", "hh", "Taxable", risk_level=level).risk_level == level


@pytest.mark.parametrize("level", [-1, MAX_RISK_LEVEL + 1, 2.0, "3", True])
def test_a_risk_level_outside_0_to_10_or_not_an_integer_is_refused(level: object) -> None:
    with pytest.raises(
        InvariantError, match=r"risk_level of account a1 must be an integer in 0\.\.10"
    ):
        Account("a1", "hh", "Taxable", risk_level=level)  # type: ignore[arg-type]
