"""Audit events: who or what did what, when, to which account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["AuditEvent"]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    event_id: str
    session: date
    actor: str
    action: str
    account_id: str | None = None
    detail: str = ""
