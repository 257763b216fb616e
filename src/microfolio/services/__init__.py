"""Use cases: the only entry points for the CLI, the API and the dashboard."""

from microfolio.services.cycle import CycleResult, DailyCycle, ticket_to_order
from microfolio.services.household_cycle import (
    AccountResult,
    FundMenuAt,
    HouseholdCycle,
    HouseholdResult,
)

__all__ = [
    "AccountResult",
    "CycleResult",
    "DailyCycle",
    "FundMenuAt",
    "HouseholdCycle",
    "HouseholdResult",
    "ticket_to_order",
]
