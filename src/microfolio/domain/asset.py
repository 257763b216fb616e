"""Tradable assets."""

from __future__ import annotations

from dataclasses import dataclass

from microfolio.errors import InvariantError

__all__ = ["Asset"]


@dataclass(frozen=True, slots=True)
class Asset:
    """An exchange-traded security, its asset class and, for funds, the index it tracks.

    ``tlh_rank`` orders the interchangeable funds of one class: 1 is the primary fund and
    2, 3, ... are tax-loss-harvesting replacements.
    """

    ticker: str
    asset_class: str
    tlh_rank: int = 1
    tracks: str = ""

    def __post_init__(self) -> None:
        if not self.ticker or self.ticker != self.ticker.strip().upper():
            raise InvariantError(f"ticker must be upper-case and non-empty, got {self.ticker!r}")
        if not self.asset_class:
            raise InvariantError(f"asset_class of {self.ticker} must be non-empty")
        if self.tlh_rank < 1:
            raise InvariantError(f"tlh_rank of {self.ticker} must be >= 1, got {self.tlh_rank}")
