"""The model family v1 on the bundled data: levels along the efficient frontier of asset classes,
point in time, cached by refresh date, held through each class's primary fund."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from microfolio.advisor import (
    AssetClasses,
    ClassTarget,
    ModelFamily,
    ModelFamilyModel,
    ModelPortfolio,
)
from microfolio.data import GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.errors import MicrofolioError, NotFoundError
from microfolio.estimate import LedoitWolf, returns_from_prices
from microfolio.optimize import Constraints, MinVariance, TargetVolatility
from support.world import bundled_market

DATES = ("2007-01-03", "2012-06-01", "2017-11-10")
EQUITY = ("us_total_stock", "intl_developed", "emerging", "real_estate")
V1 = Path(__file__).parents[3] / "src" / "microfolio" / "advisor" / "models" / "v1.json"


@pytest.fixture(scope="module")
def market() -> MarketData:
    return bundled_market()


@pytest.fixture(scope="module")
def family() -> ModelFamily:
    return ModelFamily.load()


def _moments(family: ModelFamily, market: MarketData, day: str) -> tuple[pd.DataFrame, pd.Series]:
    """The covariance and equilibrium returns of the classes at ``day``'s refresh date (the
    month's first session), rebuilt step by step."""
    view = market.view(family.refresh_date(market.view(day)))
    spec = family.spec
    proxies = [
        family.classes.proxy(c, view, lookback=spec.lookback + 1, min_history=spec.min_lookback + 1)
        for c in spec.names
    ]
    prices = view.close[proxies].iloc[-(spec.lookback + 1) :]
    prices.columns = pd.Index(spec.names)
    cov = LedoitWolf(min_periods=spec.min_lookback).fit(returns_from_prices(prices)).covariance_
    reference = pd.Series(spec.reference_weights)
    mu = spec.risk_aversion * cov @ (reference / reference.sum())
    return cov, mu


def _class_bounds(family: ModelFamily) -> Constraints:
    spec = family.spec
    return Constraints(
        lower={c: b.lower for c, b in spec.classes.items()},
        upper={c: b.upper for c, b in spec.classes.items()},
        min_cash=spec.cash,
    )


def _v1() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(V1.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- the model data -------------------------------------------------------------------------------


def test_v1_has_eleven_levels_over_eight_classes_of_the_universe(family: ModelFamily) -> None:
    assert family.version == "models-v1"
    assert family.levels == tuple(range(11))
    assert len(family.asset_classes) == 8
    assert set(EQUITY) <= set(family.asset_classes)
    assert all(family.classes.funds(c) for c in family.asset_classes)
    assert family.spec.cash == 0.005
    assert (family.spec.lookback, family.spec.min_lookback) == (756, 252)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("cash"), "cash: Field required"),
        (lambda d: d["classes"]["tips"].update(lower=0.3), "classes.tips: .*lower 0.3 is above"),
        (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
        (lambda d: d.update(refresh="weekly"), "refresh: Input should be 'daily' or 'monthly'"),
        (lambda d: d.update(min_lookback=800), "min_lookback 800 is above lookback 756"),
        (
            lambda d: [c.update(upper=0.1) for c in d["classes"].values()],
            "asset upper bounds sum to 0.80",
        ),
        (
            lambda d: d.update(groups={"equity": {"classes": ["stocks"], "upper": 0.5}}),
            "group 'equity' names unknown classes: stocks",
        ),
    ],
)
def test_a_bad_model_file_is_refused_in_one_line_naming_the_problem(
    tmp_path: Path, edit: Any, message: str
) -> None:
    data = _v1()
    edit(data)

    with pytest.raises(MicrofolioError, match=message) as caught:
        ModelFamily.load(_write(tmp_path, data))

    assert "\n" not in str(caught.value)
    assert "models.json is not valid" in str(caught.value)


def test_unreadable_or_missing_model_files_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "x",', encoding="utf-8")

    with pytest.raises(MicrofolioError, match=r"broken\.json is not valid JSON: .*line 1"):
        ModelFamily.load(broken)
    with pytest.raises(NotFoundError, match=r"nowhere\.json does not exist"):
        ModelFamily.load(tmp_path / "nowhere.json")


def test_a_class_without_funds_in_the_universe_is_refused(tmp_path: Path) -> None:
    data = _v1()
    data["classes"]["crypto"] = {"lower": 0.0, "upper": 0.1, "reference_weight": 0.01}

    with pytest.raises(MicrofolioError, match="no fund in the universe: crypto"):
        ModelFamily.load(_write(tmp_path, data))


# -- the levels -----------------------------------------------------------------------------------


@pytest.mark.parametrize("day", DATES)
def test_every_level_is_fully_invested_within_the_class_bounds(
    family: ModelFamily, market: MarketData, day: str
) -> None:
    targets = family.class_targets(market.view(day))

    assert sorted(targets) == list(range(11))
    for level, target in targets.items():
        assert target.level == level
        assert target.version == "models-v1"
        assert set(target.weights) == set(family.asset_classes)
        assert math.fsum(target.weights.values()) + target.cash == pytest.approx(1.0, abs=1e-9)
        assert target.cash == 0.005
        for name, weight in target.weights.items():
            bounds = family.spec.classes[name]
            assert bounds.lower - 1e-9 <= weight <= bounds.upper + 1e-9, (level, name)


@pytest.mark.parametrize("day", DATES)
def test_risk_return_and_equity_share_rise_with_the_level(
    family: ModelFamily, market: MarketData, day: str
) -> None:
    targets = [family.class_targets(market.view(day))[k] for k in range(11)]
    vols = np.array([t.volatility for t in targets])
    returns = np.array([t.expected_return for t in targets])
    equity = np.array([sum(t.weights[c] for c in EQUITY) for t in targets])

    assert np.all(np.diff(vols) >= -1e-6)
    assert np.all(np.diff(returns) >= -1e-6)
    assert np.all(np.diff(equity) >= -1e-6)
    assert vols[-1] > 2 * vols[0]  # the family spans a real range of risk
    # the levels in between are evenly spaced in volatility, exactly
    expected = vols[0] + np.arange(11) / 10 * (vols[-1] - vols[0])
    np.testing.assert_allclose(vols, expected, rtol=1e-9)


@pytest.mark.parametrize("day", DATES)
def test_level_zero_is_min_variance_under_the_same_bounds(
    family: ModelFamily, market: MarketData, day: str
) -> None:
    view = market.view(day)
    cov, _ = _moments(family, market, day)

    expected = MinVariance(_class_bounds(family)).fit_moments(cov).weights_
    level_0 = family.target(0, view)

    np.testing.assert_allclose(
        [level_0.weights[c] for c in expected.index], expected.to_numpy(), atol=1e-10
    )
    assert level_0.method == "min_variance"
    assert level_0.volatility == pytest.approx(
        math.sqrt(expected.to_numpy() @ cov.to_numpy() @ expected.to_numpy()), rel=1e-9
    )


@pytest.mark.parametrize("day", DATES)
def test_top_level_has_the_highest_return_the_bounds_allow(
    family: ModelFamily, market: MarketData, day: str
) -> None:
    view = market.view(day)
    _, mu = _moments(family, market, day)
    spec = family.spec
    # the best expected return the bounds allow, by a linear program
    best = linprog(
        -mu.to_numpy(),
        A_eq=np.ones((1, len(mu))),
        b_eq=[1.0 - spec.cash],
        bounds=[(spec.classes[c].lower, spec.classes[c].upper) for c in mu.index],
        method="highs",
    )

    top = family.target(10, view)

    assert top.expected_return == pytest.approx(-best.fun, rel=1e-9)
    assert top.method == "max_return"
    assert sum(top.weights[c] for c in EQUITY) == pytest.approx(1.0 - spec.cash)


def test_the_reference_portfolio_lies_on_the_frontier(
    family: ModelFamily, market: MarketData
) -> None:
    # equilibrium returns make the reference weights efficient: at their volatility, the best
    # portfolio the (non-binding) bounds allow is the reference portfolio itself
    cov, mu = _moments(family, market, "2012-06-01")
    reference = pd.Series(family.spec.reference_weights)
    reference = reference / reference.sum() * (1.0 - family.spec.cash)
    vol = math.sqrt(reference.to_numpy() @ cov.to_numpy() @ reference.to_numpy())

    found = TargetVolatility(vol, _class_bounds(family)).fit_moments(cov, mu).weights_

    np.testing.assert_allclose(found.reindex(reference.index), reference, atol=1e-7)


def test_a_middle_level_matches_the_cvxpy_solution(family: ModelFamily, market: MarketData) -> None:
    cov, mu = _moments(family, market, "2017-11-10")
    level_5 = family.target(5, market.view("2017-11-10"))

    check = TargetVolatility(level_5.volatility, _class_bounds(family), solver="cvxpy")
    check.fit_moments(cov, mu)

    assert level_5.method == "target_vol"
    assert level_5.expected_return == pytest.approx(float(check.weights_ @ mu), abs=1e-6)


def test_group_limits_cap_the_total_of_their_classes(tmp_path: Path, market: MarketData) -> None:
    data = _v1()
    data["groups"] = {"equity": {"classes": list(EQUITY), "upper": 0.8}}
    family = ModelFamily.load(_write(tmp_path, data))

    targets = family.class_targets(market.view("2012-06-01"))
    equity = [sum(targets[k].weights[c] for c in EQUITY) for k in range(11)]

    assert max(equity) <= 0.8 + 1e-6
    assert equity[10] == pytest.approx(0.8, abs=1e-6)
    assert np.all(np.diff([targets[k].volatility for k in range(11)]) >= -1e-6)


def test_too_little_history_is_an_error_naming_the_class(
    family: ModelFamily, market: MarketData
) -> None:
    with pytest.raises(MicrofolioError, match="'us_total_stock' has no tradable fund on 2005-06-"):
        family.class_targets(market.view("2005-06-15"))


def test_an_unknown_level_is_refused(family: ModelFamily, market: MarketData) -> None:
    with pytest.raises(NotFoundError, match=r"no risk level 11 in models-v1 \(levels 0..10\)"):
        family.target(11, market.view("2012-06-01"))
    with pytest.raises(NotFoundError, match="no risk level -1"):
        ModelFamilyModel(family, -1)


# -- point in time and the cache -----------------------------------------------------------------


def _perturbed_after(t: pd.Timestamp, seed: int) -> MarketData:
    """The bundled bars with every price after ``t`` scaled by a random walk per ticker."""
    bars = load_bundled_bars().sort_values(["ticker", "date"], ignore_index=True)
    future = (bars["date"] > t).to_numpy()
    rng = np.random.default_rng(seed)
    steps = pd.Series(np.where(future, rng.normal(0.0, 0.005, len(bars)), 0.0))
    scale = np.exp(steps.groupby(bars["ticker"].to_numpy()).cumsum().to_numpy())
    for column in ("open", "high", "low", "close"):
        bars[column] = bars[column].to_numpy() * scale
    return MarketData.from_bars(bars, policy=GatePolicy())


def test_targets_at_t_do_not_change_when_the_future_does(market: MarketData) -> None:
    t = pd.Timestamp("2012-06-01")
    changed = _perturbed_after(t, seed=7)
    original, perturbed = ModelFamily.load(), ModelFamily.load()

    before = original.class_targets(market.view(t))
    after = perturbed.class_targets(changed.view(t))
    # later in the month the prices differ, but the monthly targets use the 1st's data only
    mid_month = perturbed.class_targets(changed.view("2012-06-15"))

    assert after == before
    assert mid_month == before
    assert perturbed.fund_target(5, changed.view(t)) == original.fund_target(5, market.view(t))
    # and the perturbation is real: once the window holds changed prices, targets move
    later = "2013-01-02"
    assert perturbed.target(5, changed.view(later)) != original.target(5, market.view(later))


def test_one_month_shares_one_target_computed_on_its_first_session(
    family: ModelFamily, market: MarketData
) -> None:
    first = family.class_targets(market.view("2012-06-01"))
    last = family.class_targets(market.view("2012-06-29"))
    fresh = ModelFamily.load().class_targets(market.view("2012-06-29"))
    july = family.target(5, market.view("2012-07-02"))

    assert last == first
    assert fresh == first  # a pure function of the date, not of what was asked before
    assert {t.as_of for t in first.values()} == {date(2012, 6, 1)}
    assert july.as_of == date(2012, 7, 2)
    assert july != first[5]


def test_daily_refresh_recomputes_every_session(tmp_path: Path, market: MarketData) -> None:
    data = _v1()
    data["refresh"] = "daily"
    daily = ModelFamily.load(_write(tmp_path, data))

    target = daily.target(5, market.view("2012-06-15"))

    assert target.as_of == date(2012, 6, 15)
    assert target.weights != ModelFamily.load().target(5, market.view("2012-06-15")).weights


# -- funds ----------------------------------------------------------------------------------------


def test_fund_target_puts_each_class_on_its_primary_fund(
    family: ModelFamily, market: MarketData
) -> None:
    early, later = market.view("2007-01-03"), market.view("2012-06-01")

    before = family.fund_target(5, early)
    after = family.fund_target(5, later)

    # VEA lists 2007-07-26 and BND 2007-04-10: the best-ranked funds trading stand in
    assert "VEA" not in before.weights
    assert "BND" not in before.weights
    assert before.weights["EFA"] == family.target(5, early).weights["intl_developed"]
    assert before.weights["AGG"] == family.target(5, early).weights["us_aggregate_bond"]
    assert after.weights["VEA"] == family.target(5, later).weights["intl_developed"]
    assert after.weights["BND"] == family.target(5, later).weights["us_aggregate_bond"]
    assert math.fsum(after.weights.values()) + after.cash == pytest.approx(1.0)
    assert after.method == "models-v1:level-5:target_vol"


def test_fund_target_leaves_out_classes_without_weight(
    family: ModelFamily, market: MarketData
) -> None:
    view = market.view("2017-11-10")
    level_0: ClassTarget = family.target(0, view)
    empty = {c for c, w in level_0.weights.items() if w <= 1e-12}

    fund = family.fund_target(0, view)

    assert empty  # min variance leaves some classes out
    assert {family.classes.asset_class(t) for t in fund.weights}.isdisjoint(empty)


def test_model_family_model_is_a_model_portfolio(family: ModelFamily, market: MarketData) -> None:
    classes = AssetClasses.from_assets(a for a in load_universe() if a.ticker != "VEA")
    model: ModelPortfolio = ModelFamilyModel(family, 7, classes)

    june = model.target(market.view("2012-06-01"))
    later = model.target(market.view("2012-06-29"))

    assert later is june
    assert june.as_of == date(2012, 6, 1)
    # with VEA taken out of the fund list, the next fund by rank trading (SCHF: IEFA lists in
    # October 2012) holds the class
    assert "VEA" not in june.weights
    assert (
        june.weights["SCHF"]
        == family.target(7, market.view("2012-06-01")).weights["intl_developed"]
    )
    assert ModelFamilyModel(family, 7).target(market.view("2012-06-01")) == family.fund_target(
        7, market.view("2012-06-01")
    )
