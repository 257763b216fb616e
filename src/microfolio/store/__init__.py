"""The SQL store: accounts, lots, orders, fills, the journal, the audit trail and the model
registry (:class:`SqlModelRegistry`).

SQLite (a file, the embedded default) or PostgreSQL (``postgresql+psycopg://``), one SQLAlchemy
code path, Alembic migrations shipped inside the package. Everything goes through a
:class:`UnitOfWork`, which takes and returns domain objects and is one transaction.
"""

from microfolio.store.database import DATABASE_URL_ENV, make_engine, resolve_url
from microfolio.store.model_registry import SqlModelRegistry
from microfolio.store.models import Base
from microfolio.store.schema import MIGRATIONS_DIR, alembic_config, current_revision, head_revision
from microfolio.store.unit_of_work import Store, UnitOfWork

__all__ = [
    "DATABASE_URL_ENV",
    "MIGRATIONS_DIR",
    "Base",
    "SqlModelRegistry",
    "Store",
    "UnitOfWork",
    "alembic_config",
    "current_revision",
    "head_revision",
    "make_engine",
    "resolve_url",
]
