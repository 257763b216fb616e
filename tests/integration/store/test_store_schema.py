"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, inspect
from sqlalchemy.engine import Inspector

from microfolio.store import (
    Base,
    Store,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
)


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    # Arrange
    store = Store(database_url)
    # Act
    store.migrate()
    store.dispose()
    # Assert
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diffs == []


def test_migrating_twice_is_harmless_and_reaches_head(database_url: str) -> None:
    store = Store(database_url)
    store.migrate()
    store.migrate()
    store.dispose()
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision() == "0005"
    finally:
        engine.dispose()


def test_an_empty_database_has_no_revision(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_downgrading_to_base_drops_every_table(database_url: str) -> None:
    # Arrange
    store = Store(database_url)
    store.migrate()
    store.dispose()
    engine = make_engine(database_url)
    try:
        # Act
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        # Assert
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def _model_names(table: Table) -> set[str]:
    names = {str(constraint.name) for constraint in table.constraints}
    return names | {str(index.name) for index in table.indexes}


def _database_names(inspector: Inspector, table: str) -> set[str]:
    names = {inspector.get_pk_constraint(table)["name"] or "<unnamed pk>"}
    names |= {str(unique["name"]) for unique in inspector.get_unique_constraints(table)}
    names |= {str(fk["name"]) for fk in inspector.get_foreign_keys(table)}
    names |= {str(check["name"]) for check in inspector.get_check_constraints(table)}
    names |= {
        str(index["name"])
        for index in inspector.get_indexes(table)
        if not index.get("duplicates_constraint")
    }
    return names


def test_migrated_constraint_and_index_names_match_the_models(database_url: str) -> None:
    # Arrange: compare_metadata does not look at check constraints or constraint names
    store = Store(database_url)
    store.migrate()
    store.dispose()
    engine = make_engine(database_url)
    # Act
    try:
        inspector = inspect(engine)
        found = {name: _database_names(inspector, name) for name in Base.metadata.tables}
    finally:
        engine.dispose()
    # Assert
    expected = {name: _model_names(table) for name, table in Base.metadata.tables.items()}
    assert found == expected
