"""Use cases: the only entry points for the CLI, the API and the dashboard."""

from microfolio.services.cycle import SessionTotals, ticket_to_order
from microfolio.services.household_cycle import (
    AccountResult,
    FundMenuAt,
    HouseholdCycle,
    HouseholdResult,
)

__all__ = [
    "AccountResult",
    "FundMenuAt",
    "HouseholdCycle",
    "HouseholdResult",
    "SessionTotals",
    "ticket_to_order",
]
