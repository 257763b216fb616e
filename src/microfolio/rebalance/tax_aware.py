"""Tax-aware settings and the two estimates the planner trades on.

**Harvest benefit.** Selling a lot at a loss L and buying a similar fund saves L x rate in tax
now; the replacement's basis is lower by L, so (if it is ever sold) the tax comes back later. The
benefit is the value of that deferral: L x rate x (1 - (1 + d)^-T), with d the discount rate and
T the years until the gain is expected to be realised (defaults 5% and 10 years: 39% of the tax
saved). Short-term losses use the short-term rate; a harvest that is not worth more than
``cost_multiple`` x its round-trip trading cost (sell and buy: spread and commission) is skipped.

**Rebalancing benefit.** The benefit of a trade that moves an account toward its target is the
fall in the expected one-year cost of tracking error, in dollars, with the model's own risk
aversion: lambda / 2 x (d' S d before - d' S d after) x account value, where d is the vector of
class weight deviations and S the model's annualised class covariance. In a taxable account a
lot is sold at a gain only while this marginal benefit exceeds the tax that sale realises (the
gain x its term's rate) plus its trading cost. IRAs pay no tax on sales, so they simply
rebalance.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HarvestPolicy", "TaxAwarePolicy"]


class HarvestPolicy(BaseModel):
    """When a loss is worth harvesting: both thresholds must be met, and the benefit must beat
    the cost. ``enabled=False`` turns harvesting off (the counterfactual of the tax alpha)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    min_loss: float = Field(default=100.0, ge=0.0)
    min_loss_fraction: float = Field(default=0.005, ge=0.0, lt=1.0)
    discount_rate: float = Field(default=0.05, ge=0.0, lt=1.0)
    deferral_years: float = Field(default=10.0, gt=0.0)
    cost_multiple: float = Field(default=1.0, ge=0.0)

    @property
    def deferral_value(self) -> float:
        """What a dollar of tax deferred is worth today: 1 - (1 + d)^-T."""
        return float(1.0 - (1.0 + self.discount_rate) ** -self.deferral_years)


class TaxAwarePolicy(BaseModel):
    """Tax rates the planner prices trades with, and how costly trading is taken to be."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    short_term_rate: float = Field(default=0.35, ge=0.0, lt=1.0)
    long_term_rate: float = Field(default=0.15, ge=0.0, lt=1.0)
    trading_cost: float = Field(default=0.0003, ge=0.0, lt=0.1)  # per dollar traded, one way
    risk_aversion: float = Field(default=3.0, gt=0.0)
    harvest: HarvestPolicy = HarvestPolicy()

    def rate(self, long_term: bool) -> float:
        return self.long_term_rate if long_term else self.short_term_rate
