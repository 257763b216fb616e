"""Helpers for the ledger tests: session dates and the type of the fill maker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from microfolio.domain import Fill

D1 = date(2024, 1, 3)
D2 = date(2024, 2, 5)
D3 = date(2024, 3, 4)

FillMaker = Callable[..., Fill]
