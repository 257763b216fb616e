"""What the model registry remembers about one trained model: a frozen, JSON-able record.

A :class:`ModelRecord` names the model (``model_id``) and its family (``kind``: one champion
per kind), the training window and the data version it was fitted on, its parameters (any JSON
mapping), its :class:`ValidationScores` (the out-of-sample window it was scored on and the
scores), the session it was created and its :class:`ModelStatus`. It is checked on
construction: the validation window starts after training ends (scores are out of sample) and
the model is not created before its training data ends. ``to_json`` / ``from_json`` round-trip
it exactly (canonical JSON: sorted keys, ISO dates), so any store can keep it as text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.monitor._checks import check_date, check_text

__all__ = ["ModelRecord", "ModelStatus", "ValidationScores"]

_RECORD_KEYS = frozenset(
    {
        "model_id",
        "kind",
        "train_start",
        "train_end",
        "data_version",
        "params",
        "validation",
        "created",
        "status",
    }
)
_SCORES_KEYS = frozenset({"start", "end", "scores"})


class ModelStatus(StrEnum):
    """Where a model stands in its kind: the one in use, a candidate, or done."""

    CHAMPION = "champion"
    CHALLENGER = "challenger"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class ValidationScores:
    """Scores (metric name -> finite float) measured out of sample over ``start..end``.

    Two models are compared only on the same window (see
    :func:`~microfolio.signals.monitor.champion_challenger`).
    """

    start: dt.date
    end: dt.date
    scores: Mapping[str, float] = field(hash=False)

    def __post_init__(self) -> None:
        check_date("start", self.start)
        check_date("end", self.end)
        if self.start > self.end:
            raise InvariantError(f"validation start {self.start} must not be after end {self.end}")
        if not isinstance(self.scores, Mapping):
            raise InvariantError(f"scores must be a mapping, got {type(self.scores).__name__}")
        clean: dict[str, float] = {}
        for metric, value in self.scores.items():
            check_text("score name", metric)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise InvariantError(f"score {metric!r} must be a finite number, got {value!r}")
            clean[metric] = float(value)
        object.__setattr__(self, "scores", MappingProxyType(dict(sorted(clean.items()))))

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        return (self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "scores": dict(self.scores),
        }

    @classmethod
    def from_dict(cls, data: object) -> ValidationScores:
        mapping = _mapping("validation", data, _SCORES_KEYS)
        return cls(
            start=_date("validation start", mapping["start"]),
            end=_date("validation end", mapping["end"]),
            scores=_mapping("validation scores", mapping["scores"], None),
        )


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One trained model (module doc). Updates return copies (:meth:`with_status`)."""

    model_id: str
    kind: str
    train_start: dt.date
    train_end: dt.date
    data_version: str
    params: Mapping[str, Any] = field(hash=False)
    validation: ValidationScores
    created: dt.date
    status: ModelStatus = ModelStatus.CHALLENGER

    def __post_init__(self) -> None:
        check_text("model_id", self.model_id)
        check_text("kind", self.kind)
        check_date("train_start", self.train_start)
        check_date("train_end", self.train_end)
        check_text("data_version", self.data_version)
        check_date("created", self.created)
        if self.train_start > self.train_end:
            raise InvariantError(
                f"train_start {self.train_start} must not be after train_end {self.train_end}"
            )
        if not isinstance(self.validation, ValidationScores):
            raise InvariantError(
                f"validation must be ValidationScores, got {type(self.validation).__name__}"
            )
        if self.validation.start <= self.train_end:
            raise InvariantError(
                f"validation start {self.validation.start} must be after train_end "
                f"{self.train_end}: scores must be out of sample"
            )
        if self.created < self.train_end:
            raise InvariantError(
                f"created {self.created} must not be before train_end {self.train_end}"
            )
        if not isinstance(self.status, ModelStatus):
            raise InvariantError(f"status must be a ModelStatus, got {self.status!r}")
        object.__setattr__(self, "params", _frozen_params(self.params))

    def with_status(self, status: ModelStatus) -> ModelRecord:
        """A copy with another status."""
        return dataclasses.replace(self, status=status)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: dates as ISO strings, the status as its value."""
        return {
            "model_id": self.model_id,
            "kind": self.kind,
            "train_start": self.train_start.isoformat(),
            "train_end": self.train_end.isoformat(),
            "data_version": self.data_version,
            "params": _thaw(self.params),
            "validation": self.validation.to_dict(),
            "created": self.created.isoformat(),
            "status": str(self.status),
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal records give equal text."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_dict(cls, data: object) -> ModelRecord:
        mapping = _mapping("record", data, _RECORD_KEYS)
        status = mapping["status"]
        if status not in {s.value for s in ModelStatus}:
            raise DataFormatError(
                f"record status must be one of champion, challenger, retired; got {status!r}"
            )
        return cls(
            model_id=mapping["model_id"],
            kind=mapping["kind"],
            train_start=_date("train_start", mapping["train_start"]),
            train_end=_date("train_end", mapping["train_end"]),
            data_version=mapping["data_version"],
            params=_mapping("params", mapping["params"], None),
            validation=ValidationScores.from_dict(mapping["validation"]),
            created=_date("created", mapping["created"]),
            status=ModelStatus(status),
        )

    @classmethod
    def from_json(cls, text: str) -> ModelRecord:
        """The record of :meth:`to_json` text; refuses text that is not such a record."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise DataFormatError(f"record is not JSON: {error}") from None
        return cls.from_dict(data)


def _frozen_params(params: object) -> Mapping[str, Any]:
    """A deep, read-only copy of a JSON mapping (lists become tuples), refused if not JSON."""
    if not isinstance(params, Mapping):
        raise InvariantError(f"params must be a mapping, got {type(params).__name__}")
    _check_json("params", params)
    frozen = _freeze(_thaw(params))
    assert isinstance(frozen, Mapping)
    return frozen


def _check_json(path: str, value: object) -> None:
    """Refuse what JSON cannot hold exactly: non-string keys, non-finite floats, other types."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvariantError(f"{path} must be a finite number, got {value!r}")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvariantError(f"{path} keys must be strings, got {key!r}")
            _check_json(f"{path}.{key}", item)
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json(f"{path}[{position}]", item)
        return
    raise InvariantError(
        f"{path} must be JSON (null, bool, number, string, list, mapping), got {type(value).__name__}"
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value


def _mapping(name: str, data: object, keys: frozenset[str] | None) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise DataFormatError(f"{name} must be a JSON object, got {type(data).__name__}")
    if keys is not None and set(data) != keys:
        missing = sorted(keys - set(data))
        unknown = sorted(set(data) - keys)
        raise DataFormatError(f"{name} keys are wrong: missing {missing}, unknown {unknown}")
    return data


def _date(name: str, text: object) -> dt.date:
    if not isinstance(text, str):
        raise DataFormatError(f"{name} must be an ISO date string, got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataFormatError(f"{name} must be an ISO date (YYYY-MM-DD), got {text!r}") from None
