"""Every constraint holds on the general path (to 1e-8), and impossible sets are explained."""

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import InfeasibleError, OptimizationError
from microfolio.optimize import (
    Constraints,
    EfficientFrontier,
    MaxSharpe,
    MeanVarianceUtility,
    MinVariance,
    TargetReturn,
    TargetVolatility,
)

TOL = 1e-8
TICKERS = [f"T{i}" for i in range(8)]
STOCKS, BONDS = TICKERS[:5], TICKERS[5:]


def _moments(seed: int = 4) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    loadings = rng.normal(0.0, 0.15, (8, 2))
    cov = loadings @ loadings.T + np.diag(rng.uniform(0.05, 0.25, 8) ** 2)
    return (
        pd.DataFrame(cov, index=TICKERS, columns=TICKERS),
        pd.Series(np.linspace(0.10, 0.03, 8), index=TICKERS),
    )


def _all_models(constraints: Constraints) -> list[object]:
    return [
        MinVariance(constraints=constraints),
        MaxSharpe(constraints=constraints, risk_free_rate=0.01),
        MeanVarianceUtility(3.0, constraints=constraints),
        TargetReturn(0.06, constraints=constraints),
        TargetVolatility(0.12, constraints=constraints),
        EfficientFrontier(6, constraints=constraints),
    ]


def _check(model: object, constraints: Constraints) -> pd.Series:
    cov, mu = _moments()
    model.fit_moments(cov, mu)  # type: ignore[attr-defined]
    weights: pd.Series = model.weights_  # type: ignore[attr-defined]
    rc = constraints.resolve(TICKERS)
    assert rc.violation(weights.to_numpy()) <= TOL, model
    assert weights.sum() + model.cash_ == pytest.approx(1.0, abs=1e-12)  # type: ignore[attr-defined]
    assert model.cash_ == constraints.min_cash  # type: ignore[attr-defined]
    return weights


def test_per_asset_bounds_hold_on_both_paths() -> None:
    constraints = Constraints(lower={"T7": 0.05}, upper={"T0": 0.15, "T1": 0.1})

    for model in _all_models(constraints):
        weights = _check(model, constraints)
        assert weights["T0"] <= 0.15 + TOL
        assert weights["T7"] >= 0.05 - TOL


def test_group_floors_and_caps_hold() -> None:
    constraints = Constraints(
        groups={"stocks": STOCKS, "bonds": BONDS},
        group_lower={"bonds": 0.35},
        group_upper={"stocks": 0.6},
        upper=0.3,
    )

    for model in _all_models(constraints):
        weights = _check(model, constraints)
        assert weights[BONDS].sum() >= 0.35 - TOL
        assert weights[STOCKS].sum() <= 0.6 + TOL
        assert model.solver_.startswith("cvxpy:")  # type: ignore[attr-defined]


def test_the_turnover_cap_holds_from_the_current_weights() -> None:
    current = dict.fromkeys(TICKERS, 1.0 / 8)
    constraints = Constraints(current=current, max_turnover=0.2)

    for model in _all_models(constraints):
        weights = _check(model, constraints)
        assert float(np.abs(weights.to_numpy() - 1.0 / 8).sum()) <= 0.2 + TOL


def test_min_cash_is_kept_with_groups_and_turnover() -> None:
    constraints = Constraints(
        groups={"bonds": BONDS},
        group_lower={"bonds": 0.2},
        current=dict.fromkeys(TICKERS, 0.1),
        max_turnover=0.5,
        min_cash=0.08,
    )

    for model in _all_models(constraints):
        weights = _check(model, constraints)
        assert weights.sum() == pytest.approx(0.92, abs=TOL)


def test_prohibitive_costs_keep_the_current_portfolio() -> None:
    current = {"T0": 0.3, "T3": 0.3, "T6": 0.4}
    constraints = Constraints(current=current, costs=1.0)

    model = MeanVarianceUtility(3.0, constraints=constraints).fit_moments(*_moments())

    expected = pd.Series(current).reindex(TICKERS, fill_value=0.0)
    np.testing.assert_allclose(model.weights_.to_numpy(), expected.to_numpy(), atol=1e-7)


def test_costs_reduce_trading_in_the_utility() -> None:
    cov, mu = _moments()
    current = dict.fromkeys(TICKERS, 1.0 / 8)
    free = MeanVarianceUtility(3.0, constraints=Constraints(current=current)).fit_moments(cov, mu)
    charged = MeanVarianceUtility(
        3.0, constraints=Constraints(current=current, costs=0.01)
    ).fit_moments(cov, mu)

    traded = lambda w: float(np.abs(w.to_numpy() - 1.0 / 8).sum())  # noqa: E731
    assert traded(charged.weights_) < traded(free.weights_)


def test_max_sharpe_net_of_costs_beats_the_alternatives_net_of_costs() -> None:
    cov, mu = _moments()
    current = {"T4": 0.5, "T7": 0.5}
    constraints = Constraints(current=current, costs=0.02)
    rc = constraints.resolve(TICKERS)
    sigma, mean = cov.to_numpy(), mu.to_numpy()

    def net_sharpe(w: np.ndarray) -> float:
        return (float(mean @ w) - 0.01 - rc.trading_cost(w)) / float(np.sqrt(w @ sigma @ w))

    model = MaxSharpe(constraints=constraints, risk_free_rate=0.01).fit_moments(cov, mu)
    gross = MaxSharpe(risk_free_rate=0.01).fit_moments(cov, mu)

    best = net_sharpe(model.weights_.to_numpy())
    for other in (gross.weights_.to_numpy(), rc.start, np.full(8, 1.0 / 8)):
        assert best >= net_sharpe(other) - 1e-9


@pytest.mark.parametrize(
    ("constraints", "sentence"),
    [
        (
            Constraints(groups={"s": STOCKS, "b": BONDS}, group_lower={"s": 0.7, "b": 0.5}),
            "asset-class floors sum to 1.20, above 1.00",
        ),
        (
            Constraints(groups={"s": STOCKS, "b": BONDS}, group_upper={"s": 0.5, "b": 0.3}),
            "group caps allow at most 0.80 in total",
        ),
        (Constraints(upper=0.1), "asset upper bounds sum to 0.80, below the 1.00 to invest"),
        (Constraints(lower=0.2), "asset lower bounds sum to 1.60, above the 1.00 to invest"),
        (
            Constraints(
                current={"T0": 0.5, "T1": 0.5},
                max_turnover=0.3,
                groups={"s": STOCKS},
                group_upper={"s": 0.6},
            ),
            "turnover cap 0.30 is below the 0.80 needed to meet the bounds, group floors and caps",
        ),
        (
            Constraints(current={"T0": 1.0}, max_turnover=0.3, upper=0.6),
            "turnover cap 0.30 is below the 0.40 needed just to meet the bounds and budget",
        ),
        (  # selling 0.4 of T0 is not enough: it must be bought elsewhere too
            Constraints(current={"T0": 1.0}, max_turnover=0.5, upper=0.6),
            "turnover cap 0.50 is below the 0.80 needed to meet the bounds and budget",
        ),
    ],
)
def test_an_impossible_constraint_set_is_explained_in_words(
    constraints: Constraints, sentence: str
) -> None:
    with pytest.raises(InfeasibleError, match=sentence):
        MinVariance(constraints=constraints).fit_moments(*_moments())


def test_overlapping_groups_that_cannot_hold_together_are_explained() -> None:
    # "a" and "b" overlap in T2, T3; with T0, T1 capped at 0, "a" must come from T2, T3,
    # which hold at most 0.6: each group alone is fine, together they are not
    constraints = Constraints(
        groups={"a": TICKERS[:4], "b": TICKERS[2:6], "c": TICKERS[:2]},
        group_lower={"a": 0.9, "b": 0.9},
        group_upper={"c": 0.0},
        upper=0.3,
    )

    with pytest.raises(InfeasibleError, match="cannot all hold together"):
        MaxSharpe(constraints=constraints).fit_moments(*_moments())


def test_overlapping_floors_above_the_budget_can_be_feasible() -> None:
    constraints = Constraints(
        groups={"a": TICKERS[:4], "b": TICKERS[2:6]}, group_lower={"a": 0.7, "b": 0.7}
    )

    weights = _check(MinVariance(constraints=constraints), constraints)

    assert weights[TICKERS[:4]].sum() >= 0.7 - TOL
    assert weights[TICKERS[2:6]].sum() >= 0.7 - TOL


def test_the_fast_solver_refuses_constraints_it_cannot_take() -> None:
    constraints = Constraints(groups={"b": BONDS}, group_lower={"b": 0.3})

    with pytest.raises(OptimizationError, match="solver='fast' takes only per-asset bounds"):
        MinVariance(constraints=constraints, solver="fast").fit_moments(*_moments())


def test_auto_takes_the_fast_path_for_bounds_only() -> None:
    model = MaxSharpe(constraints=Constraints(upper=0.4, min_cash=0.1)).fit_moments(*_moments())

    assert model.solver_ in ("active_set", "closed_form")
    assert len(model.fallback_chain_) == 1
