"""The per-date information coefficient: how well a forecast ranked the tickers' outcomes."""

from __future__ import annotations

import pandas as pd

from microfolio.errors import DataFormatError
from microfolio.features import INDEX_NAMES
from microfolio.signals.monitor._checks import check_count
from microfolio.signals.validation.metrics import spearman_by_date

__all__ = ["rank_ic"]


def rank_ic(forecast: pd.Series, realised: pd.Series, min_tickers: int = 5) -> pd.Series:
    """Per date, the Spearman rank correlation between ``forecast`` and ``realised`` across the
    tickers that have both (long Series on a ``(date, ticker)`` MultiIndex).

    A date with fewer than ``min_tickers`` such tickers, or with no spread in either ranking,
    has no IC and is left out. The result is indexed by date, named ``"ic"``: the series an
    :class:`~microfolio.signals.monitor.ErrorDriftMonitor` watches (higher is better).
    """
    minimum = check_count("min_tickers", min_tickers, 3)
    for name, series in (("forecast", forecast), ("realised", realised)):
        if not isinstance(series, pd.Series):
            raise DataFormatError(f"{name} must be a pandas Series, got {type(series).__name__}")
        if tuple(series.index.names) != INDEX_NAMES:
            raise DataFormatError(
                f"{name} index must be a (date, ticker) MultiIndex, got {list(series.index.names)}"
            )
    both = pd.DataFrame({"forecast": forecast, "realised": realised}).dropna()
    sizes = both.groupby(level=INDEX_NAMES[0]).size()
    enough = sizes.index[sizes >= minimum]
    both = both[both.index.get_level_values(INDEX_NAMES[0]).isin(enough)]
    ic, ranked = spearman_by_date(both)
    return ic[ranked]
