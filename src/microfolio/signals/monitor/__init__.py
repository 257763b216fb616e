"""Drift monitoring, retraining policy and the model registry.

* Drift statistics: :func:`psi` (population stability index over the reference's quantile
  bins; below 0.1 stable, 0.1-0.25 moderate, above 0.25 significant) and :func:`ks` (two-sample
  Kolmogorov-Smirnov statistic and p-value).
* :class:`FeatureDriftMonitor`: fit on a reference window of a ``FeatureFrame``, ``check`` a
  later window: a frozen :class:`FeatureDriftReport` with PSI, KS and a drifted flag per
  feature. :class:`ErrorDriftMonitor`: a model's recent out-of-sample scores (a per-date IC,
  :func:`rank_ic`, or a loss) against a reference period: :class:`ErrorDriftReport`.
* :class:`RetrainTrigger`: retrain when too many features drift, errors drift significantly or
  the model is too old; a :class:`RetrainDecision` with its reasons.
* Registry: :class:`ModelRecord` (frozen, JSON round trip), the :class:`ModelRegistry`
  protocol and :class:`InMemoryRegistry`; :func:`champion_challenger` decides whether a
  challenger beats the champion by a margin on the same validation window.
"""

from microfolio.signals.monitor.champion import ChallengeDecision, champion_challenger
from microfolio.signals.monitor.error_drift import ErrorDriftMonitor, ErrorDriftReport
from microfolio.signals.monitor.feature_drift import (
    REPORT_COLUMNS,
    FeatureDrift,
    FeatureDriftMonitor,
    FeatureDriftReport,
)
from microfolio.signals.monitor.ic import rank_ic
from microfolio.signals.monitor.ks import KSResult, ks
from microfolio.signals.monitor.psi import (
    PSI_EPSILON,
    PSI_MODERATE,
    PSI_SIGNIFICANT,
    bin_shares,
    psi,
    psi_of_shares,
    quantile_edges,
)
from microfolio.signals.monitor.record import ModelRecord, ModelStatus, ValidationScores
from microfolio.signals.monitor.registry import (
    InMemoryRegistry,
    ModelRegistry,
    RegistryAction,
    RegistryEvent,
)
from microfolio.signals.monitor.trigger import (
    RetrainDecision,
    RetrainReason,
    RetrainReasonKind,
    RetrainTrigger,
)

__all__ = [
    "PSI_EPSILON",
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "REPORT_COLUMNS",
    "ChallengeDecision",
    "ErrorDriftMonitor",
    "ErrorDriftReport",
    "FeatureDrift",
    "FeatureDriftMonitor",
    "FeatureDriftReport",
    "InMemoryRegistry",
    "KSResult",
    "ModelRecord",
    "ModelRegistry",
    "ModelStatus",
    "RegistryAction",
    "RegistryEvent",
    "RetrainDecision",
    "RetrainReason",
    "RetrainReasonKind",
    "RetrainTrigger",
    "ValidationScores",
    "bin_shares",
    "champion_challenger",
    "ks",
    "psi",
    "psi_of_shares",
    "quantile_edges",
    "rank_ic",
]
