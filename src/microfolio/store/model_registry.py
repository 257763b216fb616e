"""The model registry kept in the SQL store.

:class:`SqlModelRegistry` is the :class:`~microfolio.signals.monitor.ModelRegistry` of a
:class:`~microfolio.store.Store`: the same rules, errors and messages as
:class:`~microfolio.signals.monitor.InMemoryRegistry` (a model enters as a challenger; promoting
one retires the champion of its kind in the same step; every step is an event with its reason,
numbered in one sequence across kinds), but kept in ``model_records`` and ``model_events``
(migration 0005), so it outlives the process and is shared by every process on the database.

Each call is one unit of work. To combine a registry step with other writes in one transaction
(an audit event, say), call the unit of work's own methods (``register_model``,
``promote_model``, ``retire_model`` ...), which this class wraps.

Nothing reads the wall clock: given a :class:`~microfolio.clock.Clock`, each event is stored with
the session it happened on (``model_events.session``); without one that column stays null.
"""

from __future__ import annotations

from datetime import date

from microfolio.clock import Clock
from microfolio.signals.monitor import ModelRecord, ModelRegistry, RegistryEvent
from microfolio.store.unit_of_work import Store

__all__ = ["SqlModelRegistry"]


class SqlModelRegistry(ModelRegistry):
    """A :class:`~microfolio.signals.monitor.ModelRegistry` in the SQL store (module doc)."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock

    def register(self, record: ModelRecord) -> None:
        with self._store.unit_of_work() as uow:
            uow.register_model(record, self._session())

    def get(self, model_id: str) -> ModelRecord:
        with self._store.unit_of_work() as uow:
            return uow.model(model_id)

    def champion(self, kind: str) -> ModelRecord | None:
        with self._store.unit_of_work() as uow:
            return uow.champion_model(kind)

    def challengers(self, kind: str) -> tuple[ModelRecord, ...]:
        with self._store.unit_of_work() as uow:
            return uow.challenger_models(kind)

    def promote(self, model_id: str, reason: str) -> ModelRecord:
        with self._store.unit_of_work() as uow:
            return uow.promote_model(model_id, reason, self._session())

    def retire(self, model_id: str, reason: str) -> ModelRecord:
        with self._store.unit_of_work() as uow:
            return uow.retire_model(model_id, reason, self._session())

    def history(self, kind: str) -> tuple[RegistryEvent, ...]:
        with self._store.unit_of_work() as uow:
            return uow.model_history(kind)

    def _session(self) -> date | None:
        return None if self._clock is None else self._clock.today()

    def __repr__(self) -> str:
        return f"SqlModelRegistry({self._store!r})"
