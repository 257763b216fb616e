"""Market regimes: calm, volatile or stressed on each date, point in time.

Both detectors read daily market returns (:func:`market_returns`: one ticker or equal-weight)
and give a label series indexed by date:

* :class:`RuleRegime`: realised volatility against its expanding-window quantiles, drawdown
  from the one-year high and the price against its 200-day average;
* :class:`HmmRegime`: a 2- or 3-state Gaussian HMM, states named by their fitted variance,
  read with filtered (forward) probabilities only, refitted walk-forward.

``regimes(returns)`` on either is the point-in-time history: the label of ``t`` reads returns
``<= t`` only.
"""

from microfolio.signals.regime.base import RegimeDetector
from microfolio.signals.regime.hmm import HMM_FEATURES, HmmRegime
from microfolio.signals.regime.labels import REGIMES, Regime
from microfolio.signals.regime.market import market_returns
from microfolio.signals.regime.rule import INDICATOR_COLUMNS, RuleRegime

__all__ = [
    "HMM_FEATURES",
    "INDICATOR_COLUMNS",
    "REGIMES",
    "HmmRegime",
    "Regime",
    "RegimeDetector",
    "RuleRegime",
    "market_returns",
]
