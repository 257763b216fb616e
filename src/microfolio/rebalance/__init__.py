"""Drift, rebalancing policy and the account planner that turns them into trade tickets."""

from microfolio.rebalance.account_planner import (
    AccountCase,
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
from microfolio.rebalance.policy import RebalancePolicy
from microfolio.rebalance.tax_aware import HarvestPolicy, TaxAwarePolicy
from microfolio.rebalance.whole_shares import whole_share_buys

__all__ = [
    "AccountCase",
    "AccountInputs",
    "AccountPlan",
    "AccountPlanner",
    "ClassDrift",
    "ClassTargetLike",
    "DriftBands",
    "FundMenu",
    "HarvestPolicy",
    "RebalancePolicy",
    "SkipKind",
    "Skipped",
    "TaxAwarePolicy",
    "WashGuard",
    "class_drift",
    "drift",
    "whole_share_buys",
]
