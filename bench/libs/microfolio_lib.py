"""microfolio: the optimisers under test (annualised by 252, its default)."""

from __future__ import annotations

from importlib.metadata import version as _version

import pandas as pd

from bench.problem import BlackLittermanSpec, Entry, Outcome

NAME = "microfolio"
ROLE = "subject"

MISSING = "not yet available in microfolio.optimize"


def version() -> str:
    return _version("microfolio")


def entries(bl: BlackLittermanSpec) -> dict[str, Entry]:
    import microfolio.optimize as opt

    def has(*names: str) -> bool:
        return all(hasattr(opt, name) for name in names)

    def weights(model: object) -> pd.Series:
        return model.weights_.astype(float)  # type: ignore[attr-defined]

    def min_variance(returns: pd.DataFrame) -> Outcome:
        return Outcome(weights(opt.MinVariance().fit(returns)))

    def max_sharpe(returns: pd.DataFrame) -> Outcome:
        return Outcome(weights(opt.MaxSharpe(risk_free_rate=0.0).fit(returns)))

    def hrp(returns: pd.DataFrame) -> Outcome:
        return Outcome(weights(opt.HRP(linkage="single").fit(returns)))

    def erc(returns: pd.DataFrame) -> Outcome:
        return Outcome(weights(opt.EqualRiskContribution().fit(returns)))

    def frontier(returns: pd.DataFrame) -> Outcome:
        table = opt.EfficientFrontier(n_points=50).fit(returns).frontier_
        return Outcome(table[list(returns.columns)].reset_index(drop=True).astype(float))

    def black_litterman(returns: pd.DataFrame) -> Outcome:
        views = [
            opt.View.absolute(v.long, v.value)
            if v.short is None
            else opt.View.relative(v.long, v.short, v.value)
            for v in bl.views
        ]
        model = opt.BlackLitterman(
            views=views,
            tau=bl.tau,
            risk_aversion=bl.delta,
            market_weights=None,
            optimizer=opt.MaxSharpe(risk_free_rate=0.0),
        ).fit(returns)
        posterior = model.posterior_mu_.reindex(returns.columns).astype(float)
        return Outcome(weights(model), {"posterior_mu": posterior})

    def entry(run: object, *names: str) -> Entry:
        return Entry(run) if has(*names) else Entry(None, MISSING)  # type: ignore[arg-type]

    return {
        "min_variance": entry(min_variance, "MinVariance"),
        "max_sharpe": entry(max_sharpe, "MaxSharpe"),
        "hrp": entry(hrp, "HRP"),
        "erc": entry(erc, "EqualRiskContribution"),
        "frontier": entry(frontier, "EfficientFrontier"),
        "black_litterman": entry(black_litterman, "BlackLitterman", "View", "MaxSharpe"),
    }
