"""Alembic migrations of the store schema (run them with ``Store.migrate``)."""
