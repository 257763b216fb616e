"""Use cases: the only entry points for the CLI, the API and the dashboard."""

from microfolio.services.cycle import CycleResult, DailyCycle

__all__ = ["CycleResult", "DailyCycle"]
