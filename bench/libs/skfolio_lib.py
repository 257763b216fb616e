"""skfolio: MeanRisk, HierarchicalRiskParity, RiskBudgeting, BlackLitterman (daily units)."""

from __future__ import annotations

from importlib.metadata import version as _version

import numpy as np
import pandas as pd

from bench.problem import PERIODS_PER_YEAR, BlackLittermanSpec, Entry, Outcome, frontier_targets

NAME = "skfolio"
ROLE = "peer"


def version() -> str:
    return _version("skfolio")


def entries(bl: BlackLittermanSpec) -> dict[str, Entry]:
    from skfolio import RiskMeasure
    from skfolio.cluster import HierarchicalClustering, LinkageMethod
    from skfolio.distance import PearsonDistance
    from skfolio.moments import EquilibriumMu
    from skfolio.optimization import (
        HierarchicalRiskParity,
        MeanRisk,
        ObjectiveFunction,
        RiskBudgeting,
    )
    from skfolio.prior import BlackLitterman, EmpiricalPrior
    from skfolio.seriation import HierarchicalSeriation

    variance = RiskMeasure.VARIANCE

    def weights(model: object, returns: pd.DataFrame) -> pd.Series:
        return pd.Series(model.weights_, index=returns.columns)  # type: ignore[attr-defined]

    def min_variance(returns: pd.DataFrame) -> Outcome:
        model = MeanRisk(risk_measure=variance).fit(returns)
        return Outcome(weights(model, returns))

    def max_sharpe(returns: pd.DataFrame) -> Outcome:
        model = MeanRisk(
            risk_measure=variance,
            objective_function=ObjectiveFunction.MAXIMIZE_RATIO,
            risk_free_rate=0.0,
        ).fit(returns)
        return Outcome(weights(model, returns))

    def hrp(returns: pd.DataFrame) -> Outcome:
        model = HierarchicalRiskParity(
            risk_measure=variance,
            distance_estimator=PearsonDistance(),
            seriation_estimator=HierarchicalSeriation(
                hierarchical_clustering_estimator=HierarchicalClustering(
                    linkage_method=LinkageMethod.SINGLE
                ),
                optimal_ordering=False,
            ),
        ).fit(returns)
        return Outcome(weights(model, returns))

    def erc(returns: pd.DataFrame) -> Outcome:
        model = RiskBudgeting(risk_measure=variance).fit(returns)
        return Outcome(weights(model, returns))

    def frontier(returns: pd.DataFrame) -> Outcome:
        # skfolio's own efficient_frontier_size starts at 1.01 x the min-risk return; to ask the
        # same question as the others, fit the min-risk portfolio and pass the targets
        low = MeanRisk(risk_measure=variance).fit(returns)
        mu = low.prior_estimator_.return_distribution_.mu
        targets = frontier_targets(float(mu @ low.weights_), float(mu.max()))
        model = MeanRisk(risk_measure=variance, min_return=targets).fit(returns)
        return Outcome(pd.DataFrame(np.asarray(model.weights_), columns=returns.columns))

    def black_litterman(returns: pd.DataFrame) -> Outcome:
        q = bl.q(PERIODS_PER_YEAR)
        views = [
            f"{v.long} - {v.short} = {value:.15f}" if v.short else f"{v.long} = {value:.15f}"
            for v, value in zip(bl.views, q, strict=True)
        ]
        prior = BlackLitterman(
            views=views,
            tau=bl.tau,
            prior_estimator=EmpiricalPrior(mu_estimator=EquilibriumMu(risk_aversion=bl.delta)),
        )
        model = MeanRisk(
            risk_measure=variance,
            objective_function=ObjectiveFunction.MAXIMIZE_RATIO,
            prior_estimator=prior,
        ).fit(returns)
        posterior = model.prior_estimator_.return_distribution_.mu * PERIODS_PER_YEAR
        return Outcome(
            weights(model, returns),
            {"posterior_mu": pd.Series(posterior, index=returns.columns)},
        )

    return {
        "min_variance": Entry(min_variance),
        "max_sharpe": Entry(max_sharpe),
        "hrp": Entry(hrp),
        "erc": Entry(erc),
        "frontier": Entry(frontier),
        "black_litterman": Entry(black_litterman),
    }
