"""The three market regimes a detector can name, from the calmest to the most stressed."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REGIMES", "Regime"]


class Regime(StrEnum):
    """What the market is like on a date.

    * ``calm``: volatility low for its own history, prices near their highs and above trend;
    * ``volatile``: volatility high, or the price below its trend, without a deep fall;
    * ``stressed``: a crisis: a deep fall from the recent high, or very high volatility in a
      falling market.
    """

    CALM = "calm"
    VOLATILE = "volatile"
    STRESSED = "stressed"

    @property
    def severity(self) -> int:
        """0 for calm, 1 for volatile, 2 for stressed: regimes order by how bad they are."""
        return REGIMES.index(self)


#: every regime, calmest first
REGIMES: tuple[Regime, ...] = (Regime.CALM, Regime.VOLATILE, Regime.STRESSED)
