"""Splitting an amount of money pro rata, to the cent, so that the parts add up exactly.

Used to allocate a sale's net proceeds across the lots it closed. Rounding each share on its own
can lose or invent a cent; the largest-remainder method floors every share to the cent and hands
the cents left over to the shares that lost most to the flooring, so every part is within a cent
of its exact share and the parts sum to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from microfolio.domain.money import CENT, ZERO, money
from microfolio.errors import InvariantError

__all__ = ["allocate"]


def allocate(total: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Split ``total`` (whole cents, any sign) in proportion to ``weights`` (>= 0, not all 0)."""
    if total != money(total):
        raise InvariantError(f"allocate: total must be whole cents, got {total}")
    if not weights or any(w < 0 for w in weights) or sum(weights, ZERO) <= 0:
        raise InvariantError(f"allocate: weights must be >= 0 and not all zero, got {weights}")
    if total < 0:
        return tuple(-part for part in allocate(-total, weights))
    weight_sum = sum(weights, ZERO)
    exact = [total * w / weight_sum for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    left_over = int((total - sum(parts, ZERO)) / CENT)
    # ties go to the earlier weight, so the result is deterministic
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left_over]:
        parts[i] += CENT
    return tuple(parts)
