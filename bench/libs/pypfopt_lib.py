"""PyPortfolioOpt: EfficientFrontier, HRPOpt, BlackLittermanModel (annualised by 252)."""

from __future__ import annotations

from importlib.metadata import version as _version

import pandas as pd

from bench.problem import PERIODS_PER_YEAR, BlackLittermanSpec, Entry, Outcome, frontier_targets

NAME = "PyPortfolioOpt"
ROLE = "peer"

#: the cvxpy solver; None keeps PyPortfolioOpt's default (cvxpy's choice for a QP: OSQP). A
#: solve that fails with it is retried with Clarabel, as a user would (and counted in the time).
SOLVER: str | None = None
FALLBACK_SOLVER = "CLARABEL"


def version() -> str:
    return _version("pyportfolioopt")


def entries(bl: BlackLittermanSpec) -> dict[str, Entry]:
    from pypfopt import (
        BlackLittermanModel,
        EfficientFrontier,
        HRPOpt,
        expected_returns,
        risk_models,
    )
    from pypfopt import black_litterman as bl_module
    from pypfopt.exceptions import OptimizationError

    def mean(returns: pd.DataFrame) -> pd.Series:
        # compounding=False: the arithmetic mean (the default is the geometric mean, CAGR)
        return expected_returns.mean_historical_return(
            returns, returns_data=True, compounding=False, frequency=PERIODS_PER_YEAR
        )

    def cov(returns: pd.DataFrame) -> pd.DataFrame:
        return risk_models.sample_cov(returns, returns_data=True, frequency=PERIODS_PER_YEAR)

    def weights(ef: object, returns: pd.DataFrame) -> pd.Series:
        # the solver's weights as they are (clean_weights would zero those below 1e-4)
        return pd.Series(ef.weights, index=ef.tickers).reindex(returns.columns)  # type: ignore[attr-defined]

    def frontier_object(
        mu: pd.Series | None, sigma: pd.DataFrame, solver: str | None = None
    ) -> EfficientFrontier:
        return EfficientFrontier(mu, sigma, weight_bounds=(0, 1), solver=solver or SOLVER)

    def optimise(
        mu: pd.Series | None, sigma: pd.DataFrame, method: str, *args: float
    ) -> EfficientFrontier:
        """One solve on a new object; on failure a new object with the fallback solver (an
        object whose objective was set cannot take another)."""
        ef = frontier_object(mu, sigma)
        try:
            getattr(ef, method)(*args)
        except OptimizationError:
            if ef._solver == FALLBACK_SOLVER:
                raise
            ef = frontier_object(mu, sigma, FALLBACK_SOLVER)
            getattr(ef, method)(*args)
        return ef

    def solve_target(ef: EfficientFrontier, target: float) -> None:
        """efficient_return on a reused object (a parameter update), retried with the fallback
        solver on failure."""
        try:
            ef.efficient_return(target)
        except OptimizationError:
            if ef._solver == FALLBACK_SOLVER:
                raise
            ef._solver = FALLBACK_SOLVER
            ef.efficient_return(target)

    def min_variance(returns: pd.DataFrame) -> Outcome:
        ef = optimise(None, cov(returns), "min_volatility")
        return Outcome(weights(ef, returns))

    def max_sharpe(returns: pd.DataFrame) -> Outcome:
        ef = optimise(mean(returns), cov(returns), "max_sharpe", 0.0)
        return Outcome(weights(ef, returns))

    def hrp(returns: pd.DataFrame) -> Outcome:
        model = HRPOpt(returns=returns)
        model.optimize(linkage_method="single")
        return Outcome(pd.Series(model.weights, index=model.tickers).reindex(returns.columns))

    def frontier(returns: pd.DataFrame) -> Outcome:
        mu, sigma = mean(returns), cov(returns)
        low = optimise(mu, sigma, "min_volatility")
        start = float(mu @ weights(low, returns))
        targets = frontier_targets(start, float(mu.max()))
        ef = frontier_object(mu, sigma)
        # one problem, its target a cvxpy parameter (PyPortfolioOpt re-solves without
        # rebuilding); efficient_return refuses a target above the max return its own LP finds,
        # which can sit a hair below the top asset's mean: clip the last target to it
        solve_target(ef, float(targets[0]))
        rows = [weights(ef, returns)]
        for target in targets[1:]:
            solve_target(ef, float(min(target, ef._max_return_value)))
            rows.append(weights(ef, returns))
        return Outcome(pd.DataFrame(rows).reset_index(drop=True))

    def black_litterman(returns: pd.DataFrame) -> Outcome:
        sigma = cov(returns)
        market = pd.Series(1.0 / returns.shape[1], index=returns.columns)
        prior = bl_module.market_implied_prior_returns(market, bl.delta, sigma, 0.0)
        model = BlackLittermanModel(
            sigma,
            pi=prior,
            P=bl.picking(returns.columns),
            Q=bl.q(),
            omega="default",
            tau=bl.tau,
            risk_aversion=bl.delta,
        )
        posterior = model.bl_returns()
        ef = optimise(posterior, model.bl_cov(), "max_sharpe", 0.0)
        return Outcome(weights(ef, returns), {"posterior_mu": posterior.reindex(returns.columns)})

    return {
        "min_variance": Entry(min_variance),
        "max_sharpe": Entry(max_sharpe),
        "hrp": Entry(hrp),
        "erc": Entry(None, "PyPortfolioOpt has no equal-risk-contribution optimiser"),
        "frontier": Entry(frontier),
        "black_litterman": Entry(black_litterman),
    }
