"""One exception hierarchy for the whole package.

Every error that microfolio raises on purpose derives from :class:`MicrofolioError`; its message
names the argument and the value so that the CLI can print it as one line.
"""

from __future__ import annotations

__all__ = [
    "DataBlockedError",
    "DataFormatError",
    "IllegalTransitionError",
    "InfeasibleError",
    "InsufficientHoldingsError",
    "InvariantError",
    "MicrofolioError",
    "NotFoundError",
    "OptimizationError",
    "StoreError",
]


class MicrofolioError(Exception):
    """Root of every error microfolio raises on purpose."""


class InvariantError(MicrofolioError, ValueError):
    """A value object was constructed with values that break its invariants."""


class DataFormatError(MicrofolioError, ValueError):
    """A file or frame is not prices: wrong columns, not a table, empty, unreadable."""


class DataBlockedError(MicrofolioError):
    """The validation gate found blocking issues and the policy says block."""


class IllegalTransitionError(MicrofolioError):
    """An order was asked to move to a status its state machine does not allow."""


class InsufficientHoldingsError(MicrofolioError):
    """A sale or withdrawal asked for more than the account holds."""


class InfeasibleError(MicrofolioError, ValueError):
    """A set of portfolio constraints admits no portfolio; the message says which and why."""


class OptimizationError(MicrofolioError):
    """An optimiser could not produce weights and had no fallback left."""


class NotFoundError(MicrofolioError, KeyError):
    """A ticker, account or record that was asked for does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it one plain line
        return str(self.args[0]) if self.args else ""


class StoreError(MicrofolioError):
    """The SQL store could not be opened, migrated or written."""
