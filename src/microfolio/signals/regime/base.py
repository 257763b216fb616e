"""What every regime detector offers: a point-in-time label per date from market returns."""

from __future__ import annotations

from typing import Protocol

import pandas as pd

__all__ = ["RegimeDetector"]


class RegimeDetector(Protocol):
    """Anything that labels market history with :class:`~microfolio.signals.regime.Regime`.

    ``regimes(returns)`` takes daily market returns (a Series on ascending dates) and returns a
    Series of ``Regime`` named ``"regime"``, indexed by the dates it can label (from the first
    with enough history); the label of ``t`` depends on returns ``<= t`` only.
    """

    def regimes(self, returns: pd.Series) -> pd.Series: ...
