"""The questionnaire data and its scoring into a risk profile, on hand cases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from microfolio.advisor import QuestionnaireError, load_questionnaire, score_answers
from microfolio.advisor.questionnaire import Questionnaire, available_versions
from microfolio.advisor.risk_profile import AVERSE_WEIGHT, SHORT_HORIZON_CAP
from microfolio.errors import NotFoundError

CAUTIOUS = {
    "drop_reaction": "sell_some",
    "portfolio_choice": "minus5_plus8",
    "loss_experience": "never",
    "horizon": "3_to_7y",
    "income_stability": "variable",
    "net_worth_vs_goal": "under_half",
}
BALANCED = {
    "drop_reaction": "hold",
    "portfolio_choice": "minus15_plus20",
    "loss_experience": "never",
    "horizon": "7_to_15y",
    "income_stability": "stable",
    "net_worth_vs_goal": "half_to_2x",
}
AGGRESSIVE = {
    "drop_reaction": "buy_more",
    "portfolio_choice": "minus30_plus40",
    "loss_experience": "held",
    "horizon": "over_15y",
    "income_stability": "very_stable",
    "net_worth_vs_goal": "over_5x",
}


@pytest.fixture(scope="module")
def v1() -> Questionnaire:
    return load_questionnaire("v1")


def test_v1_ships_and_covers_both_dimensions(v1: Questionnaire) -> None:
    assert "v1" in available_versions()
    assert v1.version == "v1"
    assert v1.dimension_questions("willingness")
    assert v1.dimension_questions("capacity")


def test_unknown_version_is_refused() -> None:
    with pytest.raises(NotFoundError, match="v999"):
        load_questionnaire("v999")


def test_the_questionnaire_is_frozen(v1: Questionnaire) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        v1.version = "v2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("answers", "years", "willingness", "capacity", "level"),
    [
        (CAUTIOUS, 5.0, 2.0, 3.0, 2),
        (BALANCED, 12.0, 6.0, 6.0, 6),
        (AGGRESSIVE, 20.0, 10.0, 10.0, 10),
    ],
    ids=["cautious", "balanced", "aggressive"],
)
def test_hand_cases_score_as_expected(
    v1: Questionnaire,
    answers: dict[str, str],
    years: float,
    willingness: float,
    capacity: float,
    level: int,
) -> None:
    profile = score_answers(v1, answers, horizon_years=years)

    assert profile.willingness == pytest.approx(willingness)
    assert profile.capacity == pytest.approx(capacity)
    assert profile.level == level
    assert profile.questionnaire_version == "v1"
    assert [q.question for q in profile.breakdown] == [q.id for q in v1.questions]
    assert profile.rules[0].rule == "min_rule"
    assert not profile.inconsistent


def test_cautious_score_weights_the_lower_dimension(v1: Questionnaire) -> None:
    profile = score_answers(v1, CAUTIOUS, horizon_years=5.0)

    assert profile.score == pytest.approx(0.75 * 2.0 + 0.25 * 3.0)


def test_min_rule_weights_the_more_averse_dimension_whichever_it_is(v1: Questionnaire) -> None:
    # willing (10) but little capacity (4)
    willing = {**AGGRESSIVE, "income_stability": "none", "net_worth_vs_goal": "under_half"}
    # able (10) but unwilling (4)
    able = {
        **AGGRESSIVE,
        "drop_reaction": "hold",
        "portfolio_choice": "minus5_plus8",
        "loss_experience": "never",
    }

    a = score_answers(v1, willing, horizon_years=20.0)
    b = score_answers(v1, able, horizon_years=20.0)

    assert (a.willingness, a.capacity) == pytest.approx((10.0, 4.0))
    assert (b.willingness, b.capacity) == pytest.approx((4.0, 10.0))
    expected = AVERSE_WEIGHT * 4.0 + (1 - AVERSE_WEIGHT) * 10.0
    assert a.score == pytest.approx(expected)
    assert b.score == pytest.approx(expected)
    assert a.score < (a.willingness + a.capacity) / 2
    assert a.level == b.level == 6


def test_inconsistent_answers_lower_the_score_by_the_rule_penalty(v1: Questionnaire) -> None:
    # sells everything after a 20% fall but picks the widest range: W = 0 + 4 + 2 = 6, C = 6
    answers = {
        **BALANCED,
        "drop_reaction": "sell_all",
        "portfolio_choice": "minus30_plus40",
        "loss_experience": "held",
    }

    profile = score_answers(v1, answers, horizon_years=12.0)

    assert profile.willingness == pytest.approx(6.0)
    assert profile.inconsistent
    rule = next(r for r in profile.rules if r.rule.startswith("consistency:"))
    assert rule.rule == "consistency:panic_seller_picks_aggressive"
    assert rule.effect == pytest.approx(-1.5)
    assert profile.score == pytest.approx(6.0 - 1.5)
    assert profile.level == 5


def test_penalty_never_drives_the_score_below_zero(v1: Questionnaire) -> None:
    answers = {
        "drop_reaction": "sell_all",
        "portfolio_choice": "minus30_plus40",
        "loss_experience": "sold",
        "horizon": "3_to_7y",
        "income_stability": "none",
        "net_worth_vs_goal": "under_half",
    }
    profile = score_answers(v1, answers, horizon_years=4.0)

    assert profile.score >= 0.0
    assert profile.level >= 0


def test_short_horizon_caps_the_level_whatever_the_answers(v1: Questionnaire) -> None:
    answers = {**AGGRESSIVE, "horizon": "under_3y"}

    by_date = score_answers(v1, answers, horizon_years=2.0)
    by_answer = score_answers(v1, answers)

    for profile in (by_date, by_answer):
        assert profile.score > SHORT_HORIZON_CAP
        assert profile.level == SHORT_HORIZON_CAP
        cap = profile.rules[-1]
        assert cap.rule == "short_horizon_cap"
        assert cap.effect == pytest.approx(SHORT_HORIZON_CAP - 7)


def test_long_horizon_is_not_capped(v1: Questionnaire) -> None:
    profile = score_answers(v1, AGGRESSIVE, horizon_years=30.0)

    assert all(r.rule != "short_horizon_cap" for r in profile.rules)


def test_missing_answer_names_the_question(v1: Questionnaire) -> None:
    answers = {k: v for k, v in BALANCED.items() if k != "income_stability"}
    with pytest.raises(QuestionnaireError, match=r"income_stability.*missing") as info:
        score_answers(v1, answers)
    assert info.value.question == "income_stability"


def test_unknown_question_is_refused(v1: Questionnaire) -> None:
    with pytest.raises(QuestionnaireError, match="favourite_colour"):
        score_answers(v1, {**BALANCED, "favourite_colour": "blue"})


def test_unknown_option_names_question_and_choices(v1: Questionnaire) -> None:
    with pytest.raises(QuestionnaireError, match=r"drop_reaction.*'panic'.*sell_all"):
        score_answers(v1, {**BALANCED, "drop_reaction": "panic"})


def test_horizon_answer_contradicting_the_goal_date_is_refused(v1: Questionnaire) -> None:
    with pytest.raises(QuestionnaireError, match=r"horizon.*contradicts") as info:
        score_answers(v1, AGGRESSIVE, horizon_years=2.0)
    assert info.value.question == "horizon"


def test_profile_serialises_with_version_breakdown_and_rules(v1: Questionnaire) -> None:
    data = score_answers(v1, BALANCED, horizon_years=12.0).to_dict()

    assert set(data) == {
        "questionnaire_version",
        "willingness",
        "capacity",
        "score",
        "level",
        "breakdown",
        "rules",
    }
    assert sum(q["points"] for q in data["breakdown"]) == 12
