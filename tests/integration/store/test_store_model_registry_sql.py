"""What only the SQL model registry does: it outlives its store object, records each step's
session and the champion a promotion replaced, joins a larger unit of work, refuses what the
columns cannot hold, and keeps one champion per kind when writers race, on both backends."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import Select, select

from microfolio.clock import FixedClock
from microfolio.domain import AuditEvent
from microfolio.errors import StoreError
from microfolio.signals.monitor import (
    ModelRecord,
    ModelRegistry,
    ModelStatus,
    RegistryAction,
    ValidationScores,
)
from microfolio.store import SqlModelRegistry, Store, make_engine
from microfolio.store.models import (
    MODEL_STATUSES,
    REGISTRY_ACTIONS,
    ModelEventRow,
    ModelRecordRow,
    table_of,
)

KIND = "return_forecast"
DAY = dt.date(2017, 1, 3)


class BoomError(Exception):
    """Raised on purpose halfway through a unit of work."""


def _record(model_id: str, kind: str = KIND) -> ModelRecord:
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="3f9a1c2b4d5e6f70",
        params={"alpha": 0.1, "features": ["mom_21", "vol_63"]},
        validation=ValidationScores(dt.date(2016, 1, 4), dt.date(2016, 12, 30), {"ic": 0.03}),
        created=DAY,
    )


def _rows(store: Store, query: Select[Any]) -> list[tuple[Any, ...]]:
    """What the database holds, read around the unit of work (the URL has no password)."""
    engine = make_engine(store.url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def _event_rows(store: Store) -> list[tuple[Any, ...]]:
    events = table_of(ModelEventRow)
    return _rows(
        store,
        select(
            events.c.sequence,
            events.c.model_id,
            events.c.action,
            events.c.session,
            events.c.previous_champion_id,
        ).order_by(events.c.sequence),
    )


def test_the_stored_values_are_the_domain_enums() -> None:
    assert tuple(status.value for status in ModelStatus) == MODEL_STATUSES
    assert tuple(action.value for action in RegistryAction) == REGISTRY_ACTIONS


def test_the_sql_registry_is_a_model_registry(store: Store) -> None:
    registry: ModelRegistry = SqlModelRegistry(store)

    assert isinstance(registry, SqlModelRegistry)
    assert repr(registry) == f"SqlModelRegistry({store!r})"


def test_a_registry_on_another_store_object_sees_the_same_models(store: Store) -> None:
    # Arrange
    SqlModelRegistry(store).register(_record("a"))
    SqlModelRegistry(store).promote("a", "first model")
    SqlModelRegistry(store).register(_record("b"))
    # Act: a new process would open the same database anew
    with Store(store.url) as reopened:
        registry = SqlModelRegistry(reopened)
        champion = registry.champion(KIND)
        challengers = registry.challengers(KIND)
        history = registry.history(KIND)
    # Assert
    assert champion == _record("a").with_status(ModelStatus.CHAMPION)
    assert challengers == (_record("b"),)
    assert [event.sequence for event in history] == [1, 2, 3]


def test_each_step_records_its_session_and_a_promotion_the_champion_it_replaced(
    store: Store,
) -> None:
    # Arrange
    clock = FixedClock(DAY)
    registry = SqlModelRegistry(store, clock)
    # Act
    registry.register(_record("a"))
    registry.promote("a", "first model")
    clock.set(dt.date(2017, 2, 1))
    registry.register(_record("b"))
    clock.set(dt.date(2017, 3, 1))
    registry.promote("b", "better ic")
    SqlModelRegistry(store).retire("b", "no clock given")
    # Assert
    march = dt.date(2017, 3, 1)
    assert _event_rows(store) == [
        (1, "a", "registered", DAY, None),
        (2, "a", "promoted", DAY, None),
        (3, "b", "registered", dt.date(2017, 2, 1), None),
        (4, "a", "retired", march, None),
        (5, "b", "promoted", march, "a"),
        (6, "b", "retired", None, None),
    ]


def test_a_registry_step_joins_a_larger_unit_of_work_and_rolls_back_with_it(
    store: Store,
) -> None:
    # Arrange
    registry = SqlModelRegistry(store)
    registry.register(_record("a"))
    registry.promote("a", "first model")
    registry.register(_record("b"))
    before = registry.history(KIND)
    audit = AuditEvent("evt-1", DAY, "model-ops", "promote", None, "b replaces a")

    def promote_then_fail() -> None:
        with store.unit_of_work() as uow:
            uow.promote_model("b", "better ic", DAY)
            uow.add_audit_events([audit])
            raise BoomError

    # Act: a failure after the promotion undoes it
    with pytest.raises(BoomError):
        promote_then_fail()
    undone = (registry.champion(KIND), registry.history(KIND))
    # and without the failure both commit together
    with store.unit_of_work() as uow:
        promoted = uow.promote_model("b", "better ic", DAY)
        uow.add_audit_events([audit])
    # Assert
    assert undone == (_record("a").with_status(ModelStatus.CHAMPION), before)
    assert registry.champion(KIND) == promoted
    assert registry.get("a").status is ModelStatus.RETIRED
    with store.unit_of_work() as uow:
        assert uow.audit_events() == (audit,)


@pytest.mark.parametrize("field", ["model_id", "kind"])
def test_an_identifier_too_long_for_its_column_is_refused_on_both_backends(
    store: Store, field: str
) -> None:
    # Arrange
    long = "m" * 129
    record = _record(long) if field == "model_id" else _record("a", kind=long)
    registry = SqlModelRegistry(store)
    # Act / Assert
    with pytest.raises(StoreError, match=f"{field} must be at most 128 characters, got 129"):
        registry.register(record)
    assert _event_rows(store) == []
    assert _rows(store, select(table_of(ModelRecordRow).c.id)) == []


def test_racing_writers_queue_and_leave_one_champion(store: Store) -> None:
    # Arrange: one champion and four challengers, each promoted by its own thread at once
    registry = SqlModelRegistry(store)
    registry.register(_record("incumbent"))
    registry.promote("incumbent", "first model")
    racers = [f"racer-{n}" for n in range(4)]
    for model_id in racers:
        registry.register(_record(model_id))
    start = threading.Barrier(len(racers))
    errors: list[BaseException] = []

    def promote(model_id: str) -> None:
        try:
            start.wait(timeout=30)
            registry.promote(model_id, f"{model_id} wins")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=promote, args=(model_id,)) for model_id in racers]
    # Act
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Assert: every promotion went through, one after the other
    assert errors == []
    champion = registry.champion(KIND)
    assert champion is not None
    statuses = {model_id: registry.get(model_id).status for model_id in ["incumbent", *racers]}
    assert sorted(statuses.values()) == sorted(
        [ModelStatus.CHAMPION] + [ModelStatus.RETIRED] * len(racers)
    )
    history = registry.history(KIND)
    assert [event.sequence for event in history] == list(range(1, len(history) + 1))
    promotions = [event.model_id for event in history if event.action is RegistryAction.PROMOTED]
    assert promotions[0] == "incumbent"
    assert sorted(promotions[1:]) == racers
    assert promotions[-1] == champion.model_id
