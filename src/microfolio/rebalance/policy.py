"""Rebalancing policy settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RebalancePolicy"]


class RebalancePolicy(BaseModel):
    """When and how much to trade.

    ``band``: rebalance when drift (after investing cash flows) is above this.
    ``min_trade``: dollar trades smaller than this are not worth a ticket.
    ``invest_above``: spare cash (above the target's cash weight) is invested once it exceeds
    this share of the account (and ``min_trade``), so that the last few dollars of a fill or a
    fall in the account's value do not turn into a daily trickle of tiny buys.
    ``whole_share_buffer``: with whole shares, buys are sized at the close times (1 + buffer) so
    that an overnight rise rarely leaves the order short of cash.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    band: float = Field(default=0.03, gt=0.0, lt=1.0)
    min_trade: float = Field(default=10.0, ge=0.0)
    invest_above: float = Field(default=0.0025, ge=0.0, lt=1.0)
    whole_share_buffer: float = Field(default=0.01, ge=0.0, lt=0.5)
