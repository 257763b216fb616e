"""``microfolio models`` as a user runs it on a registry database: list, show, history, errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from microfolio.signals.monitor import ModelRecord, ValidationScores
from microfolio.store import SqlModelRegistry, Store

CLI = [sys.executable, "-m", "microfolio.cli", "models"]
KIND = "return:etfs:21d:test"
OTHER = "vol:etfs:21d:test"


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MICROFOLIO_DATABASE_URL"}
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def record(model_id: str, kind: str = KIND, created: int = 4) -> ModelRecord:
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=dt.date(2006, 1, 3),
        train_end=dt.date(2015, 12, 31),
        data_version="abc123",
        params={"alpha": 0.5, "family": model_id.split("@")[0]},
        validation=ValidationScores(dt.date(2016, 1, 4), dt.date(2016, 12, 30), {"ic": 0.04}),
        created=dt.date(2017, 1, created),
    )


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three models of KIND (a promoted, then replaced by b; c a challenger) and one of OTHER."""
    path = tmp_path_factory.mktemp("registry") / "models.db"
    store = Store(f"sqlite:///{path}")
    try:
        store.migrate()
        registry = SqlModelRegistry(store)
        registry.register(record("a@2017-01-03", created=3))
        registry.promote("a@2017-01-03", "first champion: best window ic")
        registry.register(record("b@2017-01-04"))
        registry.promote("b@2017-01-04", "b replaces a: challenger wins")
        registry.register(record("c@2017-01-05", created=5))
        registry.register(record("g@2017-01-04", kind=OTHER))
    finally:
        store.dispose()
    return path


def test_list_gives_each_kind_with_its_champion_and_counts(registry_db: Path) -> None:
    done = run(["list", "--db", str(registry_db), "--json"])

    assert done.returncode == 0, done.stderr
    kinds = json.loads(done.stdout)["kinds"]
    assert kinds == [
        {"kind": KIND, "champion": "b@2017-01-04", "models": 3, "challengers": 1, "retired": 1},
        {"kind": OTHER, "champion": None, "models": 1, "challengers": 1, "retired": 0},
    ]
    table = run(["list", "--db", str(registry_db)])
    assert table.returncode == 0, table.stderr
    assert "b@2017-01-04" in table.stdout


def test_list_of_a_kind_gives_every_model_with_its_window_and_validation(
    registry_db: Path,
) -> None:
    done = run(["list", "--db", str(registry_db), "--kind", KIND, "--json"])

    assert done.returncode == 0, done.stderr
    models = json.loads(done.stdout)["models"]
    assert [(m["model_id"], m["status"]) for m in models] == [
        ("a@2017-01-03", "retired"),
        ("b@2017-01-04", "champion"),
        ("c@2017-01-05", "challenger"),
    ]
    assert models[0]["train_end"] == "2015-12-31"
    assert models[0]["validation"]["scores"] == {"ic": 0.04}


def test_show_gives_the_record_and_the_events_that_name_it(registry_db: Path) -> None:
    done = run(["show", "a@2017-01-03", "--db", str(registry_db), "--json"])

    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["status"] == "retired"
    assert shown["data_version"] == "abc123"
    assert shown["params"] == {"alpha": 0.5, "family": "a"}
    assert [(e["action"], e["reason"].split(":")[0]) for e in shown["events"]] == [
        ("registered", "registered as a challenger"),
        ("promoted", "first champion"),
        ("retired", "replaced by 'b@2017-01-04'"),
    ]
    text = run(["show", "a@2017-01-03", "--db", str(registry_db)])
    assert text.returncode == 0, text.stderr
    assert "trained on 2006-01-03..2015-12-31, data abc123" in text.stdout


def test_history_gives_every_event_of_a_kind_in_order(registry_db: Path) -> None:
    done = run(["history", KIND, "--db", str(registry_db), "--json"])

    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["events"]
    assert [(e["model_id"], e["action"]) for e in events] == [
        ("a@2017-01-03", "registered"),
        ("a@2017-01-03", "promoted"),
        ("b@2017-01-04", "registered"),
        ("a@2017-01-03", "retired"),
        ("b@2017-01-04", "promoted"),
        ("c@2017-01-05", "registered"),
    ]
    assert [e["sequence"] for e in events] == sorted(e["sequence"] for e in events)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--db", "missing.db"], "error: --db missing.db: no such database file"),
        (["list", "--kind", "nope"], "error: no model of kind 'nope' is registered; kinds: "),
        (["show", "nope"], "error: model_id 'nope' is not registered"),
        (["history", "nope"], "error: no model of kind 'nope' is registered"),
        (["list"], "error: no database: pass --db FILE_OR_URL or set MICROFOLIO_DATABASE_URL"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    registry_db: Path, args: list[str], message: str
) -> None:
    with_db = args if "--db" in args or args == ["list"] else [*args, "--db", str(registry_db)]
    done = run(with_db)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(message)
