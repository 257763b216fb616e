"""When to retrain a model: a policy over drift reports and the model's age.

:class:`RetrainTrigger` is a frozen policy. :meth:`~RetrainTrigger.decide` says retrain when
any of these holds, and gives every one that does as a :class:`RetrainReason`:

* ``feature_drift``: the share of watched features flagged as drifted exceeds
  ``max_drifted_share``;
* ``error_drift``: the recent out-of-sample scores are significantly worse than the reference
  (:attr:`ErrorDriftReport.significant`);
* ``age``: the model was trained more than ``max_age_sessions`` sessions ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from microfolio.errors import InvariantError
from microfolio.signals.monitor._checks import check_count, check_text
from microfolio.signals.monitor.error_drift import ErrorDriftReport
from microfolio.signals.monitor.feature_drift import FeatureDriftReport

__all__ = ["RetrainDecision", "RetrainReason", "RetrainReasonKind", "RetrainTrigger"]


class RetrainReasonKind(StrEnum):
    FEATURE_DRIFT = "feature_drift"
    ERROR_DRIFT = "error_drift"
    AGE = "age"


@dataclass(frozen=True, slots=True)
class RetrainReason:
    """Why a model should be retrained: the rule that fired and the numbers behind it."""

    kind: RetrainReasonKind
    detail: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, RetrainReasonKind):
            raise InvariantError(f"kind must be a RetrainReasonKind, got {self.kind!r}")
        check_text("detail", self.detail)


@dataclass(frozen=True, slots=True)
class RetrainDecision:
    """Whether to retrain, and every reason (none when the model may stay)."""

    retrain: bool
    reasons: tuple[RetrainReason, ...]

    def __post_init__(self) -> None:
        if self.retrain != bool(self.reasons):
            raise InvariantError(
                f"retrain must be True exactly when there are reasons, got retrain={self.retrain!r} "
                f"with {len(self.reasons)} reasons"
            )

    @property
    def kinds(self) -> tuple[RetrainReasonKind, ...]:
        return tuple(reason.kind for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class RetrainTrigger:
    """Retrain when features drift, errors drift or the model is old (module doc).

    ``max_drifted_share`` is in [0, 1) (0: any drifted feature triggers); ``max_age_sessions``
    is at least 1.
    """

    max_drifted_share: float = 0.3
    max_age_sessions: int = 252

    def __post_init__(self) -> None:
        share = self.max_drifted_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share < 1.0:
            raise InvariantError(f"max_drifted_share must be a number in [0, 1), got {share!r}")
        check_count("max_age_sessions", self.max_age_sessions, 1)

    def decide(
        self,
        age_sessions: int,
        features: FeatureDriftReport | None = None,
        errors: ErrorDriftReport | None = None,
    ) -> RetrainDecision:
        """The decision for a model trained ``age_sessions`` sessions ago, given the latest
        feature and error drift reports (None: not monitored)."""
        age = check_count("age_sessions", age_sessions, 0)
        reasons: list[RetrainReason] = []
        if features is not None and features.drifted_share > self.max_drifted_share:
            drifted = features.drifted
            reasons.append(
                RetrainReason(
                    RetrainReasonKind.FEATURE_DRIFT,
                    f"{len(drifted)} of {len(features.features)} features drifted "
                    f"({features.drifted_share:.0%} > {self.max_drifted_share:.0%}): "
                    f"{', '.join(drifted)}",
                )
            )
        if errors is not None and errors.significant:
            reasons.append(
                RetrainReason(
                    RetrainReasonKind.ERROR_DRIFT,
                    f"out-of-sample scores got worse: {errors.describe()} < alpha {errors.alpha}",
                )
            )
        if age > self.max_age_sessions:
            reasons.append(
                RetrainReason(
                    RetrainReasonKind.AGE,
                    f"model is {age} sessions old (> {self.max_age_sessions})",
                )
            )
        return RetrainDecision(retrain=bool(reasons), reasons=tuple(reasons))
