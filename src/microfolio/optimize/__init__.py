"""Portfolio optimisers (scikit-learn contract: fit, then ``weights_`` and ``cash_``)."""

from microfolio.optimize.inverse_vol import InverseVolatility

__all__ = ["InverseVolatility"]
