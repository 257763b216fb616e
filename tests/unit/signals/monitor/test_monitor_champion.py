"""champion_challenger: the challenger wins only by more than the margin, on the same window."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from microfolio.errors import InvariantError, NotFoundError
from microfolio.signals.monitor import ValidationScores, champion_challenger

START, END = dt.date(2016, 1, 4), dt.date(2016, 12, 30)


def _scores(**values: float) -> ValidationScores:
    return ValidationScores(START, END, values)


def test_a_clearly_better_challenger_wins() -> None:
    decision = champion_challenger(_scores(ic=0.03), _scores(ic=0.05), "ic", min_improvement=0.01)

    assert decision.promote
    assert decision.improvement == pytest.approx(0.02)
    assert decision.reason.startswith("challenger wins: ic 0.05 against 0.03")


def test_a_gain_of_exactly_the_margin_keeps_the_champion() -> None:
    # 0.55 - 0.5 is 0.05000000000000004 in floating point: noise must not promote
    decision = champion_challenger(_scores(ic=0.5), _scores(ic=0.55), "ic", min_improvement=0.05)

    assert not decision.promote
    assert decision.reason.startswith("champion stays:")


def test_a_gain_below_the_margin_keeps_the_champion() -> None:
    decision = champion_challenger(_scores(ic=0.03), _scores(ic=0.035), "ic", min_improvement=0.01)

    assert not decision.promote


def test_a_tie_keeps_the_champion_even_without_a_margin() -> None:
    assert not champion_challenger(_scores(ic=0.03), _scores(ic=0.03), "ic").promote
    assert champion_challenger(_scores(ic=0.03), _scores(ic=0.0300001), "ic").promote


def test_a_worse_challenger_loses() -> None:
    decision = champion_challenger(_scores(ic=0.05), _scores(ic=0.01), "ic")

    assert not decision.promote
    assert decision.improvement == pytest.approx(-0.04)


def test_for_a_loss_lower_is_better() -> None:
    champion, challenger = _scores(mse=1.5), _scores(mse=1.2)

    lower_wins = champion_challenger(champion, challenger, "mse", 0.1, higher_is_better=False)
    higher_wins = champion_challenger(champion, challenger, "mse", 0.1, higher_is_better=True)

    assert lower_wins.promote
    assert lower_wins.improvement == pytest.approx(0.3)
    assert not higher_wins.promote


def test_scores_on_different_windows_are_not_compared() -> None:
    later = ValidationScores(dt.date(2017, 1, 3), dt.date(2017, 12, 29), {"ic": 0.09})

    with pytest.raises(
        InvariantError,
        match=r"validation windows differ: champion 2016-01-04\.\.2016-12-30, challenger 2017-01-03",
    ):
        champion_challenger(_scores(ic=0.03), later, "ic")


def test_a_missing_metric_is_refused() -> None:
    with pytest.raises(
        NotFoundError, match=r"metric 'sharpe' is not among the champion scores \(ic\)"
    ):
        champion_challenger(_scores(ic=0.03), _scores(ic=0.05, sharpe=1.0), "sharpe")


def test_a_negative_margin_is_refused() -> None:
    with pytest.raises(
        InvariantError, match=r"min_improvement must be a finite number >= 0, got -0\.1"
    ):
        champion_challenger(_scores(ic=0.03), _scores(ic=0.05), "ic", min_improvement=-0.1)


def test_the_decision_is_frozen_and_consistent() -> None:
    decision = champion_challenger(_scores(ic=0.03), _scores(ic=0.05), "ic")

    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.promote = False  # type: ignore[misc]
    with pytest.raises(InvariantError, match="promote needs improvement above min_improvement"):
        dataclasses.replace(decision, improvement=0.0)
