"""Inverse-volatility weights: now in :mod:`microfolio.optimize.naive` (kept for old imports)."""

from __future__ import annotations

from microfolio.optimize.naive import InverseVolatility

__all__ = ["InverseVolatility"]
