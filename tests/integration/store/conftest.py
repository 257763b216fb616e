"""Fixtures of the store tests: a factory and a store seeded with a household and accounts."""

from __future__ import annotations

import pytest
from store_factories import ACCOUNT, ASSETS, HOUSEHOLD, OTHER_ACCOUNT, Make

from microfolio.domain import Account, AccountType, Household
from microfolio.store import Store


@pytest.fixture
def make() -> Make:
    return Make()


@pytest.fixture
def seeded(store: Store) -> Store:
    """The fresh store with the assets, one household and two of its accounts."""
    with store.unit_of_work() as uow:
        uow.add_assets(ASSETS)
        uow.add_household(Household(HOUSEHOLD, "Ada and Ben"))
        uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Joint taxable"))
        uow.add_account(
            Account(OTHER_ACCOUNT, HOUSEHOLD, "Ada Roth", AccountType.ROTH_IRA, fractional=False)
        )
    return store
