"""Riskfolio-Lib: Portfolio (optimization, rp_optimization, blacklitterman_stats) and
HCPortfolio (daily units)."""

from __future__ import annotations

from importlib.metadata import version as _version

import numpy as np
import pandas as pd

from bench.problem import PERIODS_PER_YEAR, BlackLittermanSpec, Entry, Outcome, frontier_targets

NAME = "Riskfolio-Lib"
ROLE = "peer"

BL_NOTE = (
    "not the same problem: Riskfolio-Lib fixes tau at 1/T (1/756) and so has a different "
    "posterior covariance; the posterior mean does not depend on tau with He-Litterman Omega "
    "and is compared instead"
)


def version() -> str:
    return _version("riskfolio-lib")


def entries(bl: BlackLittermanSpec) -> dict[str, Entry]:
    import riskfolio as rp
    from riskfolio.src import ParamsEstimation

    def portfolio(returns: pd.DataFrame) -> rp.Portfolio:
        port = rp.Portfolio(returns=returns)
        # what assets_stats(method_mu="hist", method_cov="hist") computes, without its final
        # step: it "repairs" any covariance with an eigenvalue below 1e-6 (daily units) by
        # clipping, which changes the problem for low-volatility assets such as bond ETFs
        port.mu = ParamsEstimation.mean_vector(returns, method="hist")
        port.cov = ParamsEstimation.covar_matrix(returns, method="hist")
        return port

    def weights(frame: pd.DataFrame, returns: pd.DataFrame) -> pd.Series:
        return frame["weights"].reindex(returns.columns).astype(float)

    def min_variance(returns: pd.DataFrame) -> Outcome:
        port = portfolio(returns)
        w = port.optimization(model="Classic", rm="MV", obj="MinRisk", rf=0, hist=True)
        return Outcome(weights(w, returns))

    def max_sharpe(returns: pd.DataFrame) -> Outcome:
        port = portfolio(returns)
        w = port.optimization(model="Classic", rm="MV", obj="Sharpe", rf=0, hist=True)
        return Outcome(weights(w, returns))

    def hrp(returns: pd.DataFrame) -> Outcome:
        port = rp.HCPortfolio(returns=returns)
        w = port.optimization(
            model="HRP",
            codependence="pearson",
            rm="MV",
            rf=0,
            linkage="single",
            leaf_order=False,
            method_mu="hist",
            method_cov="hist",
        )
        return Outcome(weights(w, returns))

    def erc(returns: pd.DataFrame) -> Outcome:
        port = portfolio(returns)
        w = port.rp_optimization(model="Classic", rm="MV", rf=0, b=None, hist=True)
        return Outcome(weights(w, returns))

    def frontier(returns: pd.DataFrame) -> Outcome:
        # Portfolio.efficient_frontier spaces its points evenly in risk, not in return: to ask
        # the same question as the others, min risk under a floor on the return (lowerret)
        port = portfolio(returns)
        low = weights(
            port.optimization(model="Classic", rm="MV", obj="MinRisk", rf=0, hist=True), returns
        )
        mu = port.mu.to_numpy().ravel()
        targets = frontier_targets(float(mu @ low.to_numpy()), float(mu.max()))
        rows = [low]
        for target in targets[1:]:
            port.lowerret = float(target)
            w = port.optimization(model="Classic", rm="MV", obj="MinRisk", rf=0, hist=True)
            rows.append(weights(w, returns))
        return Outcome(pd.DataFrame(rows).reset_index(drop=True))

    def black_litterman(returns: pd.DataFrame) -> Outcome:
        port = portfolio(returns)
        market = pd.DataFrame(
            np.full((1, returns.shape[1]), 1.0 / returns.shape[1]), columns=returns.columns
        )
        port.blacklitterman_stats(
            P=pd.DataFrame(bl.picking(returns.columns), columns=returns.columns),
            Q=pd.DataFrame(bl.q(PERIODS_PER_YEAR)[:, None]),
            rf=0,
            w=market,
            delta=bl.delta,
            eq=True,
            method_mu="hist",
            method_cov="hist",
        )
        posterior = port.mu_bl.to_numpy().ravel() * PERIODS_PER_YEAR
        # in daily units its max-Sharpe solve reports the problem infeasible (numerically: the
        # posterior means are ~1e-4); annualised moments give the same weights and solve
        port.mu_bl = port.mu_bl * PERIODS_PER_YEAR
        port.cov_bl = port.cov_bl * PERIODS_PER_YEAR
        w = port.optimization(model="BL", rm="MV", obj="Sharpe", rf=0, hist=False)
        return Outcome(
            weights(w, returns), {"posterior_mu": pd.Series(posterior, index=returns.columns)}
        )

    return {
        "min_variance": Entry(min_variance),
        "max_sharpe": Entry(max_sharpe),
        "hrp": Entry(hrp),
        "erc": Entry(erc),
        "frontier": Entry(frontier),
        "black_litterman": Entry(black_litterman, BL_NOTE, compare="posterior_mu"),
    }
