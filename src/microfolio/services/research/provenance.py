"""The provenance of a research result, in words: which period was used for what, and the
choices behind the numbers (recorded with the result and shown in its report)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from microfolio.services.research.config import ResearchConfig
from microfolio.services.research.result import Period

__all__ = ["design_notes", "periods", "skipped_vol_notes"]


def periods(
    config: ResearchConfig,
    sessions: pd.DatetimeIndex,
    splits: list[tuple[pd.DatetimeIndex, pd.DatetimeIndex]],
    first: pd.Timestamp,
    first_feature: object,
    end: pd.Timestamp,
) -> tuple[Period, ...]:
    """What each stretch of the data was used for."""

    def day(stamp: object) -> str:
        return str(pd.Timestamp(stamp).date())  # type: ignore[arg-type]

    train_end = splits[0][0][-1]
    tuned = (
        "hyper-parameters: every model's defaults, fixed a priori, except zscore_by_date of the "
        "learned models, chosen by 5-fold purged k-fold (purge and embargo of "
        f"{config.horizon} sessions) on this window only"
        if config.tune
        else "hyper-parameters: every model's defaults with zscore_by_date=True, fixed a priori"
    )
    return (
        Period(
            "features",
            day(sessions[0]),
            day(end),
            f"each date's features read only sessions up to it; complete from {first_feature}",
        ),
        Period(
            "first training window",
            day(sessions[0]),
            day(train_end),
            f"the last {config.horizon} sessions before the test are purged (their labels end "
            f"in it); {tuned}",
        ),
        Period(
            "walk-forward refits",
            day(splits[0][1][0]),
            day(splits[-1][1][0]),
            (
                f"{len(splits)} refits, one every {config.refit_every} sessions, on an "
                f"expanding window purged of its last {config.horizon} sessions"
                if config.retrain == "schedule"
                else f"{len(splits)} checks, one every {config.refit_every} sessions: a model is "
                "refitted (expanding window purged of its last "
                f"{config.horizon} sessions) only when its features drifted, its IC got "
                f"significantly worse or it is older than {config.max_model_age} sessions"
            ),
        ),
        Period(
            "test (out of sample)",
            day(first),
            day(end),
            f"every IC, hit rate, QLIKE and strategy figure; a rebalance every "
            f"{config.horizon} sessions",
        ),
        Period(
            "covariance and baselines",
            "rolling",
            "",
            f"the {config.cov_window} sessions of returns up to each rebalance date "
            "(Ledoit-Wolf); calibrations: each model's out-of-sample record whose labels had "
            "ended by the date",
        ),
    )


def design_notes(
    config: ResearchConfig, chosen: int, available: int, dropped: Sequence[str]
) -> list[str]:
    """The choices behind the numbers, in words."""
    h = config.horizon
    if config.universe == "etfs":
        universe = f"Universe: the {chosen} bundled ETFs with a bar by the end."
        sixty = "60/40: 60 % VTI and 40 % AGG, rebalanced with the others."
    else:
        universe = (
            f"Universe: a seeded random sample (seed {config.seed}) of {chosen} of the "
            f"{available} stocks left after the validation gate"
            + (f" (which removed {', '.join(dropped)})" if dropped else "")
            + "; the stock file holds only stocks that still traded on 2017-11-10 "
            "(survivorship bias)."
        )
        sixty = (
            "60/40: 60 % the equal-weight stock universe and 40 % AGG (from the bundled ETFs: "
            "the stock file has no bond), rebalanced with the others."
        )
    gate = (
        "no significance gate (the precision weighting of the views shrinks weak models)"
        if config.min_t_stat is None
        else f"an IC t-statistic of at least {config.min_t_stat:g}"
    )
    return [
        universe,
        f"Labels: {h}-session forward returns; the models learn them in excess of each date's "
        "cross-sectional mean and are judged on the raw returns (the same ranks).",
        f"Portfolios every {h} sessions from the first test session, long-only, at most "
        f"{config.max_weight:.0%} in an asset, traded at that session's close, "
        f"{config.cost_bps:g} bp per dollar traded, no interest on cash (Sharpe ratios "
        "against 0).",
        "Views: a model's scores of the date, z-scored across tickers and calibrated on its "
        "own out-of-sample record known at the date (a positive slope by Grinold's rule, "
        "rank IC times the labels' cross-sectional dispersion, and at least "
        f"{config.min_periods} non-overlapping label periods; {gate}), as centred "
        "Black-Litterman views (each ticker against the mean) with omega from the model's "
        f"specific errors; equal-weight prior, tau {config.tau:g}, risk aversion "
        f"{config.risk_aversion:g}; maximum Sharpe on the posterior"
        + (
            ", with the volatility model of lowest QLIKE so far in the covariance."
            if config.rescale_vol
            else "."
        ),
        sixty,
        "Disclosed: three choices of the view step were settled during development after "
        "test-period figures had been seen, each because it silenced or misstated views, none "
        "by comparing test-period Sharpe ratios: no IC t-statistic gate (momentum's t of about "
        "1.3 would have shut every view); the slope by Grinold's rule instead of pooled least "
        "squares (the random forest's least-squares slope stayed negative over 2008-2017 "
        "while its rank IC was positive, turned by the extreme returns of late 2008); centred "
        "rather than absolute views (absolute views also claim the market's level). Read the "
        "model rows with that in mind.",
    ]


def skipped_vol_notes(skipped: Mapping[str, str]) -> list[str]:
    """A note naming the tickers left out of the volatility study."""
    if not skipped:
        return []
    names = ", ".join(sorted(skipped))
    return [f"Left out of the volatility study (history too short): {names}."]
