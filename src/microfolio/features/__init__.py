"""Point-in-time features and forward labels.

Flow: ``MarketData.view(as_of)`` (or any :class:`Bars`: wide OHLCV frames) ->
:class:`FeatureSet` (a scikit-learn transformer) -> :class:`FeatureFrame` (long, one row per
(date, ticker)). Every feature at ``t`` reads only sessions ``<= t``; the forward labels
(:func:`forward_returns`, :func:`forward_excess_returns`) read only the close of ``t`` and
sessions after it, so they are unknown at ``t`` and a walk-forward split must :func:`purge`
the last ``horizon`` sessions of a training window.
"""

from microfolio.features.bars import Bars, WideBars, as_wide_bars
from microfolio.features.feature_set import FeatureSet
from microfolio.features.frame import INDEX_NAMES, FeatureFrame
from microfolio.features.labels import forward_excess_returns, forward_returns, label_end, purge
from microfolio.features.library import SESSIONS_PER_YEAR
from microfolio.features.spec import Feature, FeatureKind, FeatureSpec

__all__ = [
    "INDEX_NAMES",
    "SESSIONS_PER_YEAR",
    "Bars",
    "Feature",
    "FeatureFrame",
    "FeatureKind",
    "FeatureSet",
    "FeatureSpec",
    "WideBars",
    "as_wide_bars",
    "forward_excess_returns",
    "forward_returns",
    "label_end",
    "purge",
]
