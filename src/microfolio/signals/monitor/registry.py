"""The model registry: which models exist, which one is the champion of each kind, and why.

:class:`ModelRegistry` is the small protocol every store implements; :class:`InMemoryRegistry`
is the in-process one (tests, research, one-shot runs). Semantics, the same for every
implementation:

* ``register(record)`` adds a new model as a **challenger** (a record with another status,
  or a ``model_id`` already known, is refused);
* ``promote(model_id, reason)`` makes a challenger the champion of its kind; the previous
  champion, if any, is **retired** in the same step (a kind never has two champions);
* ``retire(model_id, reason)`` retires a challenger or the champion (the kind then has none);
* ``champion(kind)`` is the current champion or None, ``challengers(kind)`` the current
  challengers in registration order, ``get(model_id)`` any record;
* ``history(kind)`` is every :class:`RegistryEvent` of the kind, oldest first: each
  registration, promotion and retirement with its reason. Events are numbered in one sequence
  across kinds; nothing reads the wall clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from microfolio.errors import DataFormatError, IllegalTransitionError, InvariantError, NotFoundError
from microfolio.signals.monitor._checks import check_count, check_text
from microfolio.signals.monitor.record import ModelRecord, ModelStatus

__all__ = ["InMemoryRegistry", "ModelRegistry", "RegistryAction", "RegistryEvent"]

_EVENT_KEYS = frozenset({"sequence", "model_id", "kind", "action", "reason"})


class RegistryAction(StrEnum):
    REGISTERED = "registered"
    PROMOTED = "promoted"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    """One change of the registry: what happened to which model, and why."""

    sequence: int
    model_id: str
    kind: str
    action: RegistryAction
    reason: str

    def __post_init__(self) -> None:
        check_count("sequence", self.sequence, 1)
        check_text("model_id", self.model_id)
        check_text("kind", self.kind)
        if not isinstance(self.action, RegistryAction):
            raise InvariantError(f"action must be a RegistryAction, got {self.action!r}")
        check_text("reason", self.reason)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "sequence": self.sequence,
            "model_id": self.model_id,
            "kind": self.kind,
            "action": str(self.action),
            "reason": self.reason,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RegistryEvent:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise DataFormatError(f"event is not JSON: {error}") from None
        if not isinstance(data, dict) or set(data) != _EVENT_KEYS:
            raise DataFormatError(f"event must be a JSON object with keys {sorted(_EVENT_KEYS)}")
        if data["action"] not in {a.value for a in RegistryAction}:
            raise DataFormatError(f"event action is unknown: {data['action']!r}")
        return cls(
            sequence=data["sequence"],
            model_id=data["model_id"],
            kind=data["kind"],
            action=RegistryAction(data["action"]),
            reason=data["reason"],
        )


class ModelRegistry(Protocol):
    """Where trained models are recorded and their champion chosen (module doc)."""

    def register(self, record: ModelRecord) -> None: ...

    def get(self, model_id: str) -> ModelRecord: ...

    def champion(self, kind: str) -> ModelRecord | None: ...

    def challengers(self, kind: str) -> tuple[ModelRecord, ...]: ...

    def promote(self, model_id: str, reason: str) -> ModelRecord: ...

    def retire(self, model_id: str, reason: str) -> ModelRecord: ...

    def history(self, kind: str) -> tuple[RegistryEvent, ...]: ...


class InMemoryRegistry:
    """A :class:`ModelRegistry` in a dict: one process, not thread-safe, gone at exit."""

    def __init__(self) -> None:
        self._records: dict[str, ModelRecord] = {}
        self._events: list[RegistryEvent] = []

    def register(self, record: ModelRecord) -> None:
        if not isinstance(record, ModelRecord):
            raise InvariantError(f"record must be a ModelRecord, got {type(record).__name__}")
        if record.model_id in self._records:
            raise InvariantError(f"model_id {record.model_id!r} is already registered")
        if record.status is not ModelStatus.CHALLENGER:
            raise IllegalTransitionError(
                f"model {record.model_id!r} must be registered as a challenger, got {record.status}"
            )
        self._records[record.model_id] = record
        self._log(record, RegistryAction.REGISTERED, "registered as a challenger")

    def get(self, model_id: str) -> ModelRecord:
        try:
            return self._records[model_id]
        except KeyError:
            raise NotFoundError(f"model_id {model_id!r} is not registered") from None

    def champion(self, kind: str) -> ModelRecord | None:
        found = self._of(kind, ModelStatus.CHAMPION)
        return found[0] if found else None

    def challengers(self, kind: str) -> tuple[ModelRecord, ...]:
        return self._of(kind, ModelStatus.CHALLENGER)

    def promote(self, model_id: str, reason: str) -> ModelRecord:
        check_text("reason", reason)
        record = self.get(model_id)
        if record.status is not ModelStatus.CHALLENGER:
            raise IllegalTransitionError(
                f"model {model_id!r} is {record.status}: only a challenger can be promoted"
            )
        previous = self.champion(record.kind)
        if previous is not None:
            self._set(previous, ModelStatus.RETIRED)
            self._log(previous, RegistryAction.RETIRED, f"replaced by {model_id!r}: {reason}")
        promoted = self._set(record, ModelStatus.CHAMPION)
        self._log(promoted, RegistryAction.PROMOTED, reason)
        return promoted

    def retire(self, model_id: str, reason: str) -> ModelRecord:
        check_text("reason", reason)
        record = self.get(model_id)
        if record.status is ModelStatus.RETIRED:
            raise IllegalTransitionError(f"model {model_id!r} is already retired")
        retired = self._set(record, ModelStatus.RETIRED)
        self._log(retired, RegistryAction.RETIRED, reason)
        return retired

    def history(self, kind: str) -> tuple[RegistryEvent, ...]:
        return tuple(event for event in self._events if event.kind == kind)

    def _of(self, kind: str, status: ModelStatus) -> tuple[ModelRecord, ...]:
        return tuple(r for r in self._records.values() if r.kind == kind and r.status is status)

    def _set(self, record: ModelRecord, status: ModelStatus) -> ModelRecord:
        updated = record.with_status(status)
        self._records[record.model_id] = updated
        return updated

    def _log(self, record: ModelRecord, action: RegistryAction, reason: str) -> None:
        event = RegistryEvent(len(self._events) + 1, record.model_id, record.kind, action, reason)
        self._events.append(event)
