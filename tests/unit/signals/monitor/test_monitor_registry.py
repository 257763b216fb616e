"""InMemoryRegistry: models enter as challengers, promotion retires the old champion, and the
history keeps every step with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from microfolio.errors import IllegalTransitionError, InvariantError, NotFoundError
from microfolio.signals.monitor import (
    InMemoryRegistry,
    ModelRecord,
    ModelRegistry,
    ModelStatus,
    RegistryAction,
    RegistryEvent,
    ValidationScores,
    champion_challenger,
)

WINDOW = (dt.date(2016, 1, 4), dt.date(2016, 12, 30))


def _record(model_id: str, kind: str = "return_forecast", ic: float = 0.03) -> ModelRecord:
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="3f9a1c2b4d5e6f70",
        params={"alpha": 0.1},
        validation=ValidationScores(*WINDOW, {"ic": ic}),
        created=dt.date(2017, 1, 3),
    )


@pytest.fixture
def registry() -> ModelRegistry:
    return InMemoryRegistry()


def test_a_registered_model_is_a_challenger(registry: ModelRegistry) -> None:
    registry.register(_record("a"))

    assert registry.champion("return_forecast") is None
    assert [r.model_id for r in registry.challengers("return_forecast")] == ["a"]
    assert registry.get("a").status is ModelStatus.CHALLENGER


def test_the_first_promotion_makes_a_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))

    promoted = registry.promote("a", "first model")

    assert promoted.status is ModelStatus.CHAMPION
    assert registry.champion("return_forecast") == promoted
    assert registry.challengers("return_forecast") == ()


def test_promoting_a_challenger_retires_the_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first model")
    registry.register(_record("b", ic=0.05))

    registry.promote("b", "ic 0.05 against 0.03")

    champion = registry.champion("return_forecast")
    assert champion is not None
    assert champion.model_id == "b"
    assert registry.get("a").status is ModelStatus.RETIRED
    assert registry.challengers("return_forecast") == ()


def test_history_keeps_every_step_with_its_reason(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first model")
    registry.register(_record("other", kind="vol_forecast"))
    registry.register(_record("b"))
    registry.promote("b", "better ic")

    history = registry.history("return_forecast")

    assert [(e.model_id, e.action, e.reason) for e in history] == [
        ("a", RegistryAction.REGISTERED, "registered as a challenger"),
        ("a", RegistryAction.PROMOTED, "first model"),
        ("b", RegistryAction.REGISTERED, "registered as a challenger"),
        ("a", RegistryAction.RETIRED, "replaced by 'b': better ic"),
        ("b", RegistryAction.PROMOTED, "better ic"),
    ]
    assert [e.sequence for e in history] == [1, 2, 4, 5, 6]
    assert [e.model_id for e in registry.history("vol_forecast")] == ["other"]
    assert registry.history("unknown") == ()


def test_kinds_have_their_own_champions(registry: ModelRegistry) -> None:
    registry.register(_record("r"))
    registry.register(_record("v", kind="vol_forecast"))
    registry.promote("r", "first")
    registry.promote("v", "first")

    assert registry.get("r").status is ModelStatus.CHAMPION
    assert registry.get("v").status is ModelStatus.CHAMPION


def test_retiring_a_challenger_or_the_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.register(_record("b"))
    registry.promote("a", "first")

    registry.retire("b", "lost to the champion")
    registry.retire("a", "feature drift: retraining")

    assert registry.champion("return_forecast") is None
    assert registry.challengers("return_forecast") == ()
    assert registry.history("return_forecast")[-1].reason == "feature drift: retraining"


def test_illegal_moves_are_refused_and_change_nothing(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first")
    registry.register(_record("b"))
    registry.retire("b", "lost")
    before = registry.history("return_forecast")

    with pytest.raises(InvariantError, match="model_id 'a' is already registered"):
        registry.register(_record("a"))
    with pytest.raises(IllegalTransitionError, match="model 'a' is champion: only a challenger"):
        registry.promote("a", "again")
    with pytest.raises(IllegalTransitionError, match="model 'b' is retired: only a challenger"):
        registry.promote("b", "second chance")
    with pytest.raises(IllegalTransitionError, match="model 'b' is already retired"):
        registry.retire("b", "again")
    with pytest.raises(
        IllegalTransitionError, match="must be registered as a challenger, got champion"
    ):
        registry.register(_record("c").with_status(ModelStatus.CHAMPION))
    with pytest.raises(NotFoundError, match="model_id 'zzz' is not registered"):
        registry.promote("zzz", "who")
    with pytest.raises(InvariantError, match="reason must be a non-empty string"):
        registry.promote("a", "")

    assert registry.history("return_forecast") == before
    champion = registry.champion("return_forecast")
    assert champion is not None
    assert champion.model_id == "a"


def test_a_champion_challenger_round(registry: ModelRegistry) -> None:
    registry.register(_record("old", ic=0.03))
    registry.promote("old", "first model")
    registry.register(_record("new", ic=0.05))
    champion = registry.champion("return_forecast")
    assert champion is not None

    decision = champion_challenger(
        champion.validation, registry.get("new").validation, "ic", min_improvement=0.01
    )
    if decision.promote:
        registry.promote("new", decision.reason)

    assert registry.history("return_forecast")[-1].reason == decision.reason
    assert registry.get("old").status is ModelStatus.RETIRED


def test_events_round_trip_through_json() -> None:
    event = RegistryEvent(3, "b", "return_forecast", RegistryAction.PROMOTED, "better ic")

    assert RegistryEvent.from_json(event.to_json()) == event
