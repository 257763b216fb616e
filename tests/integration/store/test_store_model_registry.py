"""One behavioural suite for every ModelRegistry: the in-memory one and the SQL one on SQLite and
PostgreSQL. Models enter as challengers, promotion retires the old champion, the history keeps
every step with its reason, illegal moves are refused with the same errors and change nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microfolio.errors import IllegalTransitionError, InvariantError, NotFoundError
from microfolio.signals.monitor import (
    InMemoryRegistry,
    ModelRecord,
    ModelRegistry,
    ModelStatus,
    RegistryAction,
    ValidationScores,
    champion_challenger,
)
from microfolio.store import SqlModelRegistry, Store

KIND = "return_forecast"
WINDOW = (dt.date(2016, 1, 4), dt.date(2016, 12, 30))

IMPLEMENTATIONS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def registry_database(postgres_server: Any) -> Iterator[str]:
    """A migrated PostgreSQL database of this session's registry tests."""
    name = postgres_server.create_database()
    migrated = Store(postgres_server.url(name))
    try:
        migrated.migrate()
    finally:
        migrated.dispose()
    yield name
    postgres_server.drop_database(name)


@pytest.fixture(params=IMPLEMENTATIONS)
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ModelRegistry]:
    """An empty registry: in memory, or in a fresh migrated store on each backend."""
    if request.param == "memory":
        yield InMemoryRegistry()
        return
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("postgres_server")
        database = request.getfixturevalue("registry_database")
        server.empty_tables(database)
        url = server.url(database)
    store = Store(url)
    try:
        yield SqlModelRegistry(store)
    finally:
        store.dispose()


def _record(
    model_id: str,
    kind: str = KIND,
    ic: float = 0.03,
    params: dict[str, Any] | None = None,
) -> ModelRecord:
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="3f9a1c2b4d5e6f70",
        params={"alpha": 0.1} if params is None else params,
        validation=ValidationScores(*WINDOW, {"ic": ic}),
        created=dt.date(2017, 1, 3),
    )


def _ids(records: tuple[ModelRecord, ...]) -> list[str]:
    return [record.model_id for record in records]


def test_a_registered_model_is_a_challenger(registry: ModelRegistry) -> None:
    registry.register(_record("a"))

    assert registry.champion(KIND) is None
    assert _ids(registry.challengers(KIND)) == ["a"]
    assert registry.get("a").status is ModelStatus.CHALLENGER


def test_a_record_comes_back_exactly_as_registered(registry: ModelRegistry) -> None:
    # Arrange: floats that print long, nesting, unicode, keys out of alphabetical order
    params = {
        "zeta": 0.1 + 0.2,
        "alpha": [1, 2.5, None, True, "x"],
        "nested": {"b": {"c": [1e-300, -0.0]}, "a": "Zürich"},
        "big": 2**62,
    }
    record = ModelRecord(
        model_id="ridge-2017-01",
        kind=KIND,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="sha256:" + "ab" * 32,
        params=params,
        validation=ValidationScores(*WINDOW, {"ic": 0.0312345678901234, "hit_rate": 0.53}),
        created=dt.date(2016, 1, 4),
    )
    # Act
    registry.register(record)
    stored = registry.get("ridge-2017-01")
    # Assert
    assert stored == record
    assert stored.to_json() == record.to_json()
    assert list(stored.params) == list(record.params)
    assert list(stored.params["nested"]) == ["b", "a"]


def test_the_first_promotion_makes_a_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))

    promoted = registry.promote("a", "first model")

    assert promoted.status is ModelStatus.CHAMPION
    assert promoted == _record("a").with_status(ModelStatus.CHAMPION)
    assert registry.champion(KIND) == promoted
    assert registry.get("a") == promoted
    assert registry.challengers(KIND) == ()


def test_promoting_a_challenger_retires_the_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first model")
    registry.register(_record("b", ic=0.05))

    registry.promote("b", "ic 0.05 against 0.03")

    champion = registry.champion(KIND)
    assert champion is not None
    assert champion.model_id == "b"
    assert registry.get("a").status is ModelStatus.RETIRED
    assert registry.challengers(KIND) == ()


def test_challengers_stay_in_registration_order(registry: ModelRegistry) -> None:
    for model_id in ("c1", "c2", "c3", "c4"):
        registry.register(_record(model_id))

    registry.promote("c2", "best of the batch")
    registry.retire("c3", "overfit")

    assert _ids(registry.challengers(KIND)) == ["c1", "c4"]


def test_history_keeps_every_step_with_its_reason(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first model")
    registry.register(_record("other", kind="vol_forecast"))
    registry.register(_record("b"))
    registry.promote("b", "better ic")

    history = registry.history(KIND)

    assert [(e.model_id, e.action, e.reason) for e in history] == [
        ("a", RegistryAction.REGISTERED, "registered as a challenger"),
        ("a", RegistryAction.PROMOTED, "first model"),
        ("b", RegistryAction.REGISTERED, "registered as a challenger"),
        ("a", RegistryAction.RETIRED, "replaced by 'b': better ic"),
        ("b", RegistryAction.PROMOTED, "better ic"),
    ]
    assert [e.sequence for e in history] == [1, 2, 4, 5, 6]
    assert {e.kind for e in history} == {KIND}
    assert [(e.sequence, e.model_id) for e in registry.history("vol_forecast")] == [(3, "other")]
    assert registry.history("unknown") == ()


def test_kinds_have_their_own_champions(registry: ModelRegistry) -> None:
    registry.register(_record("r"))
    registry.register(_record("v", kind="vol_forecast"))
    registry.promote("r", "first")
    registry.promote("v", "first")
    registry.register(_record("r2"))

    registry.promote("r2", "better")

    assert registry.get("r").status is ModelStatus.RETIRED
    vol_champion = registry.champion("vol_forecast")
    assert vol_champion is not None
    assert vol_champion.model_id == "v"
    assert registry.champion("unknown") is None
    assert registry.challengers("unknown") == ()


def test_retiring_a_challenger_or_the_champion(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.register(_record("b"))
    registry.promote("a", "first")

    retired_challenger = registry.retire("b", "lost to the champion")
    retired_champion = registry.retire("a", "feature drift: retraining")

    assert retired_challenger == _record("b").with_status(ModelStatus.RETIRED)
    assert retired_champion == _record("a").with_status(ModelStatus.RETIRED)
    assert registry.champion(KIND) is None
    assert registry.challengers(KIND) == ()
    assert registry.history(KIND)[-1].reason == "feature drift: retraining"
    assert registry.history(KIND)[-1].action is RegistryAction.RETIRED


def test_a_kind_without_a_champion_takes_a_new_one(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first")
    registry.retire("a", "broken feed")
    registry.register(_record("b"))

    registry.promote("b", "retrained")

    champion = registry.champion(KIND)
    assert champion is not None
    assert champion.model_id == "b"
    assert registry.history(KIND)[-1].reason == "retrained"
    assert "replaced by" not in " ".join(e.reason for e in registry.history(KIND))


def test_illegal_moves_are_refused_and_change_nothing(registry: ModelRegistry) -> None:
    registry.register(_record("a"))
    registry.promote("a", "first")
    registry.register(_record("b"))
    registry.retire("b", "lost")
    before = registry.history(KIND)

    with pytest.raises(InvariantError, match="model_id 'a' is already registered"):
        registry.register(_record("a"))
    with pytest.raises(InvariantError, match="model_id 'b' is already registered"):
        registry.register(_record("b", kind="vol_forecast"))
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
    with pytest.raises(
        IllegalTransitionError, match="must be registered as a challenger, got retired"
    ):
        registry.register(_record("c").with_status(ModelStatus.RETIRED))
    with pytest.raises(InvariantError, match="record must be a ModelRecord, got dict"):
        registry.register({"model_id": "d"})  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="model_id 'zzz' is not registered"):
        registry.promote("zzz", "who")
    with pytest.raises(NotFoundError, match="model_id 'zzz' is not registered"):
        registry.retire("zzz", "who")
    with pytest.raises(NotFoundError, match="model_id 'zzz' is not registered"):
        registry.get("zzz")
    with pytest.raises(InvariantError, match="reason must be a non-empty string"):
        registry.promote("a", "")
    with pytest.raises(InvariantError, match="reason must be a non-empty string"):
        registry.retire("a", "   ")
    with pytest.raises(InvariantError, match="reason must be a non-empty string"):
        registry.promote("zzz", "")

    assert registry.history(KIND) == before
    with pytest.raises(NotFoundError, match="model_id 'c' is not registered"):
        registry.get("c")
    champion = registry.champion(KIND)
    assert champion is not None
    assert champion.model_id == "a"
    assert registry.challengers(KIND) == ()


def test_a_champion_challenger_round(registry: ModelRegistry) -> None:
    registry.register(_record("old", ic=0.03))
    registry.promote("old", "first model")
    registry.register(_record("new", ic=0.05))
    champion = registry.champion(KIND)
    assert champion is not None

    decision = champion_challenger(
        champion.validation, registry.get("new").validation, "ic", min_improvement=0.01
    )
    if decision.promote:
        registry.promote("new", decision.reason)

    assert decision.promote
    assert registry.history(KIND)[-1].reason == decision.reason
    assert registry.history(KIND)[-2].reason == f"replaced by 'new': {decision.reason}"
    assert registry.get("old").status is ModelStatus.RETIRED
