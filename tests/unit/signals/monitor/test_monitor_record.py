"""ModelRecord and ValidationScores: invariants on construction, frozen, exact JSON round trip."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.monitor import ModelRecord, ModelStatus, ValidationScores

WINDOW = ValidationScores(dt.date(2016, 1, 4), dt.date(2016, 12, 30), {"ic": 0.04, "mse": 1.5})


def _record(**changes: Any) -> ModelRecord:
    fields: dict[str, Any] = {
        "model_id": "enet-2015",
        "kind": "return_forecast",
        "train_start": dt.date(2006, 1, 3),
        "train_end": dt.date(2015, 12, 31),
        "data_version": "3f9a1c2b4d5e6f70",
        "params": {"alpha": 0.1, "l1_ratio": 0.5, "features": ["ret_21", "vol_63"]},
        "validation": WINDOW,
        "created": dt.date(2017, 1, 3),
    }
    fields.update(changes)
    return ModelRecord(**fields)


def test_a_record_round_trips_through_json_exactly() -> None:
    record = _record(params={"alpha": 0.1, "nested": {"depth": [1, 2.5, None, True, "x"]}})

    text = record.to_json()
    again = ModelRecord.from_json(text)

    assert again == record
    assert again.to_json() == text
    assert json.loads(text)["validation"]["scores"] == {"ic": 0.04, "mse": 1.5}


def test_equal_records_give_equal_text() -> None:
    first = _record(params={"b": 1, "a": 2})
    second = _record(params={"a": 2, "b": 1})

    assert first.to_json() == second.to_json()
    assert hash(first) == hash(second)


def test_a_new_record_is_a_challenger_and_updates_are_copies() -> None:
    record = _record()
    champion = record.with_status(ModelStatus.CHAMPION)

    assert record.status is ModelStatus.CHALLENGER
    assert champion.status is ModelStatus.CHAMPION
    assert champion.model_id == record.model_id
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.status = ModelStatus.RETIRED  # type: ignore[misc]


def test_params_are_a_read_only_copy() -> None:
    params = {"alpha": 0.1, "features": ["ret_21"]}
    record = _record(params=params)
    params["alpha"] = 9.0
    params["features"].append("vol_63")  # type: ignore[attr-defined]

    assert record.params["alpha"] == 0.1
    assert record.params["features"] == ("ret_21",)
    with pytest.raises(TypeError):
        record.params["alpha"] = 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model_id": " "}, "model_id must be a non-empty string, got ' '"),
        (
            {"train_start": dt.date(2016, 1, 1)},
            "train_start 2016-01-01 must not be after train_end 2015-12-31",
        ),
        (
            {"train_end": dt.date(2016, 6, 30), "created": dt.date(2017, 1, 3)},
            "validation start 2016-01-04 must be after train_end 2016-06-30: scores must be out of sample",
        ),
        (
            {"created": dt.date(2015, 6, 1)},
            "created 2015-06-01 must not be before train_end 2015-12-31",
        ),
        ({"created": dt.datetime(2017, 1, 3, 9)}, "created must be a date \\(not a datetime\\)"),
        ({"params": {"seen": {1, 2}}}, "params.seen must be JSON .* got set"),
        ({"params": {"alpha": float("nan")}}, "params.alpha must be a finite number, got nan"),
        ({"params": {"grid": {1: 0.5}}}, "params.grid keys must be strings, got 1"),
        ({"params": [1, 2]}, "params must be a mapping, got list"),
        ({"status": "champion"}, "status must be a ModelStatus, got 'champion'"),
        ({"validation": {"ic": 0.1}}, "validation must be ValidationScores, got dict"),
    ],
)
def test_broken_records_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        _record(**changes)


def test_scores_must_be_finite_numbers_over_a_real_window() -> None:
    start, end = dt.date(2016, 1, 4), dt.date(2016, 12, 30)

    with pytest.raises(InvariantError, match="score 'ic' must be a finite number, got inf"):
        ValidationScores(start, end, {"ic": float("inf")})
    with pytest.raises(InvariantError, match="score 'ic' must be a finite number, got True"):
        ValidationScores(start, end, {"ic": True})
    with pytest.raises(InvariantError, match="validation start 2016-12-30 must not be after end"):
        ValidationScores(end, start, {})


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: "not json", "record is not JSON"),
        (lambda d: [], "record must be a JSON object, got list"),
        (lambda d: {**d, "extra": 1}, r"record keys are wrong: missing \[\], unknown \['extra'\]"),
        (lambda d: {k: v for k, v in d.items() if k != "kind"}, r"missing \['kind'\]"),
        (lambda d: {**d, "status": "king"}, "record status must be one of champion"),
        (lambda d: {**d, "created": "2017-13-01"}, "created must be an ISO date"),
    ],
)
def test_text_that_is_not_a_record_is_refused(mangle: Any, message: str) -> None:
    data = json.loads(_record().to_json())
    mangled = mangle(data)
    text = mangled if isinstance(mangled, str) else json.dumps(mangled)

    with pytest.raises(DataFormatError, match=message):
        ModelRecord.from_json(text)
