"""The verdict's three cases, on hand-made tables: a confident winner, a higher Sharpe ratio that
may be luck, and no model above the baselines."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from microfolio.services.research import StrategyScore
from microfolio.services.research.verdict import verdict


def score(name: str, kind: str, sharpe: float, dsr: float) -> StrategyScore:
    return StrategyScore(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        annual_return=0.05,
        volatility=0.1,
        sharpe=sharpe,
        sortino=sharpe * 1.4,
        max_drawdown=-0.2,
        turnover=1.0,
        costs=0.001,
        total_return=0.5,
        daily_sharpe=sharpe / math.sqrt(252),
        dsr=dsr,
        psr=dsr,
        sr0=0.01,
        n_trials=4,
        views_share=math.nan if kind == "baseline" else 1.0,
    )


BASELINES = [
    score("equal_weight", "baseline", 0.60, 0.90),
    score("sixty_forty", "baseline", 0.70, 0.93),
]


def test_a_model_above_every_baseline_with_confidence_beats_them() -> None:
    table = [score("momentum", "model", 0.95, 0.97), score("lstm", "model", 0.50, 0.40), *BASELINES]

    judged = verdict(table, 10.0)

    assert judged.winners == ("momentum",)
    assert judged.best_baseline == "sixty_forty"
    assert judged.sentence.startswith("After 10 bp costs, momentum (net Sharpe 0.95, deflated")
    assert "sixty_forty, had 0.70" in judged.sentence
    assert "best of 4 distinct strategies tried" in judged.sentence


def test_a_higher_sharpe_ratio_without_confidence_beats_nothing() -> None:
    table = [score("momentum", "model", 0.80, 0.94), score("lstm", "model", 0.50, 0.40), *BASELINES]

    judged = verdict(table, 10.0)

    assert judged.winners == ()
    assert judged.sentence.startswith(
        "No model beat the baselines after 10 bp costs with confidence"
    )
    assert "momentum (0.80, deflated 0.94)" in judged.sentence
    assert "the best deflated Sharpe ratio was 0.94 (momentum)" in judged.sentence


def test_no_model_above_the_baselines_says_so_with_the_best_deflated_sharpe_ratio() -> None:
    table = [score("momentum", "model", 0.65, 0.91), score("lstm", "model", 0.50, 0.40), *BASELINES]

    judged = verdict(table, 5.0)

    assert judged.winners == ()
    assert judged.best_model == "momentum"
    assert judged.sentence == (
        "No model beat the baselines after 5 bp costs: the best model strategy, momentum, had "
        "a net Sharpe ratio of 0.65 and the best baseline, sixty_forty, had 0.70; the best "
        "deflated Sharpe ratio over the 4 distinct strategies tried was 0.93 (sixty_forty)."
    )


def test_a_best_model_that_never_had_views_is_called_the_prior() -> None:
    silent = replace(score("lstm", "model", 0.60, 0.90), views_share=0.0)

    judged = verdict([silent, *BASELINES], 10.0)

    assert (
        "the best model strategy, lstm (no views at any rebalance: the equal-weight prior), "
        in (judged.sentence)
    )
    assert judged.sentence.endswith(
        "lstm never gave a view: its portfolio was the equal-weight prior."
    )


def test_models_that_never_gave_a_view_are_not_the_best_model_strategy() -> None:
    # Arrange: the two silent models hold equal weight, which did better than momentum
    lstm = replace(score("lstm", "model", 0.60, 0.90), views_share=0.0)
    boost = replace(score("boost", "model", 0.60, 0.90), views_share=0.0)
    momentum = replace(score("momentum", "model", 0.30, 0.60), views_share=0.7)
    # Act
    judged = verdict([lstm, boost, momentum, *BASELINES], 10.0)
    # Assert
    assert judged.best_model == "momentum"
    assert "the best model strategy, momentum, had a net Sharpe ratio of 0.30" in judged.sentence
    assert judged.sentence.endswith(
        "lstm and boost never gave a view: their portfolio was the equal-weight prior."
    )


def test_a_verdict_needs_models_and_baselines() -> None:
    with pytest.raises(ValueError, match="at least one model strategy and one baseline"):
        verdict(BASELINES, 10.0)
