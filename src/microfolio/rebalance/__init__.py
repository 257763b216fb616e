"""Drift, rebalancing policy and the planner that turns them into trade tickets."""

from microfolio.rebalance.drift import drift
from microfolio.rebalance.planner import Holdings, Plan, Planner
from microfolio.rebalance.policy import RebalancePolicy

__all__ = ["Holdings", "Plan", "Planner", "RebalancePolicy", "drift"]
