"""RetrainTrigger: each rule fires on its own, with its numbers, and only past its threshold."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from microfolio.errors import InvariantError
from microfolio.signals.monitor import (
    ErrorDriftReport,
    FeatureDrift,
    FeatureDriftReport,
    RetrainDecision,
    RetrainReason,
    RetrainReasonKind,
    RetrainTrigger,
)


def _features(drifted: int, total: int = 10) -> FeatureDriftReport:
    drifts = tuple(
        FeatureDrift(f"f{i}", 0.5 if i < drifted else 0.01, 0.1, 0.5, 100, 100, i < drifted)
        for i in range(total)
    )
    day = dt.date(2020, 1, 2)
    return FeatureDriftReport(day, day, day, day, drifts)


def _errors(p_value: float) -> ErrorDriftReport:
    day = dt.date(2020, 1, 2)
    return ErrorDriftReport(
        reference_start=day,
        reference_end=day,
        window_start=day,
        window_end=day,
        higher_is_better=True,
        reference_mean=0.05,
        recent_mean=-0.01,
        degradation=0.06,
        t_statistic=-3.0,
        p_value=p_value,
        ks_statistic=0.3,
        n_reference=252,
        n_recent=63,
        alpha=0.05,
    )


def test_a_young_model_with_no_drift_stays() -> None:
    decision = RetrainTrigger().decide(10, features=_features(1), errors=_errors(0.4))

    assert decision == RetrainDecision(retrain=False, reasons=())


def test_too_many_drifted_features_trigger_a_retrain() -> None:
    decision = RetrainTrigger(max_drifted_share=0.3).decide(10, features=_features(4))

    assert decision.retrain
    assert decision.kinds == (RetrainReasonKind.FEATURE_DRIFT,)
    assert decision.reasons[0].detail.startswith("4 of 10 features drifted (40% > 30%): f0, f1")


def test_a_drifted_share_at_the_limit_does_not_trigger() -> None:
    assert not RetrainTrigger(max_drifted_share=0.3).decide(10, features=_features(3)).retrain


def test_significant_error_drift_triggers_a_retrain() -> None:
    decision = RetrainTrigger().decide(10, errors=_errors(0.01))

    assert decision.kinds == (RetrainReasonKind.ERROR_DRIFT,)
    assert "p = 0.01" in decision.reasons[0].detail


def test_an_old_model_is_retrained() -> None:
    trigger = RetrainTrigger(max_age_sessions=252)

    assert not trigger.decide(252).retrain
    decision = trigger.decide(253)
    assert decision.kinds == (RetrainReasonKind.AGE,)
    assert decision.reasons[0].detail == "model is 253 sessions old (> 252)"


def test_every_reason_that_holds_is_given() -> None:
    decision = RetrainTrigger().decide(300, features=_features(8), errors=_errors(0.001))

    assert decision.kinds == (
        RetrainReasonKind.FEATURE_DRIFT,
        RetrainReasonKind.ERROR_DRIFT,
        RetrainReasonKind.AGE,
    )


def test_the_decision_and_its_reasons_agree() -> None:
    reason = RetrainReason(RetrainReasonKind.AGE, "old")

    with pytest.raises(InvariantError, match="retrain must be True exactly when there are reasons"):
        RetrainDecision(retrain=False, reasons=(reason,))
    with pytest.raises(InvariantError, match="retrain must be True exactly when there are reasons"):
        RetrainDecision(retrain=True, reasons=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        RetrainDecision(True, (reason,)).retrain = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_drifted_share": 1.0}, r"max_drifted_share must be a number in \[0, 1\), got 1.0"),
        ({"max_drifted_share": -0.1}, r"max_drifted_share must be a number in \[0, 1\)"),
        ({"max_age_sessions": 0}, "max_age_sessions must be an integer >= 1, got 0"),
    ],
)
def test_bad_policies_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        RetrainTrigger(**params)  # type: ignore[arg-type]


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(InvariantError, match="age_sessions must be an integer >= 0, got -1"):
        RetrainTrigger().decide(-1)
