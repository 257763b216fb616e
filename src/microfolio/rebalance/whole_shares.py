"""Whole-share buys that track the target: leftover cash kept small.

Flooring each buy to whole shares can leave a lot of cash behind (a $300 fund in a $1,000
deposit split four ways buys nothing). Instead: floor every wanted amount, then spend what is
left one share at a time, each time on the fund whose share most reduces the squared dollar
distance to what was wanted, while the cash lasts. A greedy fill is exact for one fund and within
one share per fund of the best integer answer in general, at a cost of O(shares added x funds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["whole_share_buys"]


def whole_share_buys(
    budget: float, wanted: Mapping[str, float], prices: Mapping[str, float]
) -> dict[str, int]:
    """Whole shares to buy of each ticker, spending at most ``budget`` at ``prices``, as close as
    whole shares allow to the dollar amounts ``wanted``."""
    if budget <= 0 or not wanted:
        return {}
    total_wanted = math.fsum(max(0.0, w) for w in wanted.values())
    scale = min(1.0, budget / total_wanted) if total_wanted > 0 else 0.0
    goal = {t: max(0.0, w) * scale for t, w in wanted.items()}
    shares = {t: math.floor(goal[t] / prices[t]) for t in goal}
    left = budget - math.fsum(shares[t] * prices[t] for t in goal)
    while True:
        best, best_gain = None, 0.0
        for ticker, price in ((t, prices[t]) for t in goal):
            if price > left:
                continue
            gap = goal[ticker] - shares[ticker] * price
            gain = gap * gap - (gap - price) ** 2  # reduction of the squared distance
            if gain > best_gain:
                best, best_gain = ticker, gain
        if best is None:
            break
        shares[best] += 1
        left -= prices[best]
    return {t: n for t, n in shares.items() if n > 0}
