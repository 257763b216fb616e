"""Drift, rebalancing policy and the planners that turn them into trade tickets."""

from microfolio.rebalance.account_planner import (
    AccountInputs,
    AccountPlan,
    AccountPlanner,
    ClassTargetLike,
    SkipKind,
    Skipped,
)
from microfolio.rebalance.bands import ClassDrift, DriftBands, class_drift
from microfolio.rebalance.context import FundMenu, WashGuard
from microfolio.rebalance.drift import drift
from microfolio.rebalance.planner import Holdings, Plan, Planner
from microfolio.rebalance.policy import RebalancePolicy
from microfolio.rebalance.tax_aware import HarvestPolicy, TaxAwarePolicy
from microfolio.rebalance.whole_shares import whole_share_buys

__all__ = [
    "AccountInputs",
    "AccountPlan",
    "AccountPlanner",
    "ClassDrift",
    "ClassTargetLike",
    "DriftBands",
    "FundMenu",
    "HarvestPolicy",
    "Holdings",
    "Plan",
    "Planner",
    "RebalancePolicy",
    "SkipKind",
    "Skipped",
    "TaxAwarePolicy",
    "WashGuard",
    "class_drift",
    "drift",
    "whole_share_buys",
]
