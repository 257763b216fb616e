"""Identifier factories, injected wherever new records are made."""

from __future__ import annotations

import itertools
import uuid
from typing import Protocol

__all__ = ["IdFactory", "SequentialIds", "UuidIds"]


class IdFactory(Protocol):
    def new(self, prefix: str) -> str:
        """Return a fresh identifier that starts with ``prefix``."""
        ...


class UuidIds:
    """Random identifiers for live use."""

    def new(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:16]}"


class SequentialIds:
    """Deterministic identifiers (``ord-000001`` ...) for backtests and tests.

    ``namespace`` keeps two factories from clashing in one store (for example one per run).
    """

    def __init__(self, namespace: str = "") -> None:
        self._namespace = namespace
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        ns = f"{self._namespace}-" if self._namespace else ""
        return f"{prefix}-{ns}{next(self._counter):06d}"
