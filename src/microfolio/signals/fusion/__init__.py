"""Forecasts, sentiment and regime into Black-Litterman views, each as precise as its record.

The flow, at a decision date ``t``:

1. :class:`SignalHistory`: a source's past out-of-sample scores and the realised labels
   (``forward_returns(bars, horizon)``), per (date, ticker). ``known_at(t, horizon, sessions)``
   keeps only the pairs whose label had ended by ``t``.
2. :class:`Calibration` (scikit-learn contract), ``fit(history, as_of=t, sessions)``: the
   pooled slope ``b`` of the label on the per-date standardised score ``z``, the residual
   variance ``s^2`` of the prediction (pooled and per ticker; split into the per-date common
   error and the specific rest), the error of a top-minus-bottom spread, and the IC with a
   t-statistic over non-overlapping labels. A source with
   ``b <= 0``, too short a record or an IC t-statistic below ``min_t_stat`` gives no views,
   and ``reason_`` says why.
3. :class:`SignalSource`: the source's scores at ``t`` and its calibration;
   :class:`SentimentSource` makes sources (and histories) of session sentiment.
4. :class:`ViewFusion`: ``fuse(sources, t, regime=...)`` gives :class:`FusedViews`: absolute
   views ``mu_i = (252 / h) (a + b z_i)`` with ``omega_i = (252 / h) s_i^2``, centred views
   (each ticker against the mean of the others, omega from the specific error: the better
   choice for a cross-sectional score, see :mod:`~microfolio.signals.fusion.fuse`) or one
   top-minus-bottom view per source, omega times a regime factor; several sources on a ticker
   are several views, weighed by Black-Litterman by their precision.

Then ``BlackLitterman(views=fused.views, omega=fused.omega).fit(returns)``.

**Volatility** does not make views: it belongs in the covariance. Put the best volatility
model's annualised forecasts (a Series by ticker, see
:func:`~microfolio.signals.volatility.best_model`) into the prior covariance with
:func:`~microfolio.signals.volatility.vol_rescale` and solve from the moments:
``BlackLitterman(views=fused.views, omega=fused.omega).fit_moments(vol_rescale(cov, vols))``.
No wrapper is provided, as it would only rename that call.
"""

from microfolio.signals.fusion.calibration import Calibration
from microfolio.signals.fusion.fuse import ViewFusion, standardise
from microfolio.signals.fusion.history import SignalHistory
from microfolio.signals.fusion.sentiment import SentimentSource
from microfolio.signals.fusion.source import SignalSource
from microfolio.signals.fusion.views import FRAME_COLUMNS, FusedViews, ViewKind, ViewProvenance

__all__ = [
    "FRAME_COLUMNS",
    "Calibration",
    "FusedViews",
    "SentimentSource",
    "SignalHistory",
    "SignalSource",
    "ViewFusion",
    "ViewKind",
    "ViewProvenance",
    "standardise",
]
