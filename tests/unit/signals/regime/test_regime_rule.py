"""RuleRegime on the bundled ETFs: the crises are stressed, 2013-2014 is calm, and the label of
a date never reads a later return."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from microfolio.data import MarketView
from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.regime import (
    INDICATOR_COLUMNS,
    REGIMES,
    Regime,
    RegimeDetector,
    RuleRegime,
    market_returns,
)


def shares(labels: pd.Series, start: str, end: str) -> dict[str, float]:
    """The share of each regime among the labels of ``start..end`` (absent regimes: 0)."""
    window = labels.loc[start:end]
    return {str(r): float((window == r).mean()) for r in REGIMES}


def test_october_2008_is_stressed_throughout(rule_labels: pd.Series) -> None:
    assert shares(rule_labels, "2008-10-01", "2008-10-31")["stressed"] == 1.0


def test_august_2011_is_mostly_stressed(rule_labels: pd.Series) -> None:
    # measured: 87 % stressed, 9 % volatile, one calm day (Aug 1, before the fall)
    august = shares(rule_labels, "2011-08-01", "2011-08-31")

    assert august["stressed"] >= 0.85
    assert (rule_labels.loc["2011-08-08":"2011-08-31"] == Regime.STRESSED).all()


def test_2013_and_2014_are_calm(rule_labels: pd.Series) -> None:
    # measured: 98.6 % calm, the rest volatile, no stress
    quiet = shares(rule_labels, "2013-01-01", "2014-12-31")

    assert quiet["calm"] >= 0.95
    assert quiet["stressed"] == 0.0


def test_the_equal_weight_market_tells_the_same_story(regime_view: MarketView) -> None:
    labels = RuleRegime().regimes(market_returns(regime_view.close, market=None))

    # measured: Oct 2008 all stressed; Aug 2011 61 % stressed, 26 % volatile; 2013-14 91 % calm
    assert shares(labels, "2008-10-01", "2008-10-31")["stressed"] == 1.0
    assert shares(labels, "2011-08-01", "2011-08-31")["calm"] <= 0.15
    assert shares(labels, "2013-01-01", "2014-12-31")["calm"] >= 0.9


def test_labels_are_regimes_from_the_first_full_window(
    rule_labels: pd.Series, vti: pd.Series
) -> None:
    needed = RuleRegime().min_observations()

    assert rule_labels.name == "regime"
    assert set(rule_labels.unique()) <= set(REGIMES)
    assert all(isinstance(label, Regime) for label in rule_labels)
    assert rule_labels.index[0] == vti.index[needed - 1]
    assert rule_labels.index.equals(vti.index[needed - 1 :])


def test_the_walk_forward_label_is_what_a_fit_up_to_that_date_predicts(
    rule_labels: pd.Series, vti: pd.Series
) -> None:
    for day in ["2007-03-01", "2008-10-10", "2011-08-08", "2012-06-01", "2014-12-31"]:
        model = RuleRegime().fit(vti.loc[:day])

        assert model.predict(vti.loc[:day]).iloc[-1] == rule_labels.loc[day], day


def test_a_changed_future_leaves_past_labels_alone(vti: pd.Series) -> None:
    cut = pd.Timestamp("2011-06-30")
    crash = vti.copy()
    crash.loc[crash.index > cut] = -0.04  # a relentless fall after the cut

    before = RuleRegime().regimes(vti)
    after = RuleRegime().regimes(crash)

    pd.testing.assert_series_equal(before.loc[:cut], after.loc[:cut])
    assert (after.loc["2011-09-01":] == Regime.STRESSED).all()
    assert (before.loc["2011-09-01":] != after.loc["2011-09-01":]).any()


def test_indicators_explain_each_label(vti: pd.Series) -> None:
    frame = RuleRegime().indicators(vti)
    day = frame.loc["2008-10-10"]

    assert tuple(frame.columns) == INDICATOR_COLUMNS
    assert day["drawdown"] < -0.10
    assert day["vol"] > day["stressed_vol"] > day["volatile_vol"] > 0.0
    assert day["regime"] == Regime.STRESSED


def test_the_stress_rule_follows_its_thresholds(vti: pd.Series) -> None:
    loose = RuleRegime(stressed_drawdown=0.5, stressed_quantile=0.99).regimes(vti)
    strict = RuleRegime(stressed_drawdown=0.05).regimes(vti)

    assert (loose == Regime.STRESSED).mean() < (strict == Regime.STRESSED).mean()


def test_labels_are_deterministic(vti: pd.Series, rule_labels: pd.Series) -> None:
    pd.testing.assert_series_equal(clone(RuleRegime()).regimes(vti), rule_labels)


def test_a_rule_regime_is_a_regime_detector() -> None:
    detector: RegimeDetector = RuleRegime()

    assert callable(detector.regimes)


def test_regimes_order_by_severity() -> None:
    assert [r.severity for r in REGIMES] == [0, 1, 2]
    assert Regime("stressed") is Regime.STRESSED


# -- bad input -------------------------------------------------------------------------------


def test_too_few_returns_are_refused(vti: pd.Series) -> None:
    needed = RuleRegime().min_observations()

    with pytest.raises(DataFormatError, match=f"returns need at least {needed} observations, got"):
        RuleRegime().regimes(vti.iloc[: needed - 1])
    with pytest.raises(DataFormatError, match=f"returns need at least {needed} observations"):
        RuleRegime().fit(vti.iloc[:100])


def test_missing_returns_are_refused(vti: pd.Series) -> None:
    gappy = vti.copy()
    gappy.iloc[[400, 500]] = np.nan

    with pytest.raises(DataFormatError, match=r"2 missing or infinite values \(first at 2006-"):
        RuleRegime().regimes(gappy)


@pytest.mark.parametrize(
    ("returns", "message"),
    [
        ([0.01] * 600, "returns must be a pandas Series, got list"),
        (pd.Series(np.full(600, 0.01)), "returns must be indexed by dates, got RangeIndex"),
        (
            pd.Series(np.zeros(600), index=pd.bdate_range("2010-01-01", periods=600)),
            "returns are all zero",
        ),
        (
            pd.Series(np.full(600, -1.5), index=pd.bdate_range("2010-01-01", periods=600)),
            "returns must be above -1",
        ),
    ],
)
def test_what_is_not_market_returns_is_refused(returns: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        RuleRegime().regimes(returns)  # type: ignore[arg-type]


def test_unsorted_dates_are_refused(vti: pd.Series) -> None:
    with pytest.raises(DataFormatError, match="returns index must be strictly increasing"):
        RuleRegime().regimes(vti.iloc[::-1])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"vol_window": 1}, "vol_window must be an integer >= 2, got 1"),
        ({"volatile_quantile": 1.5}, r"volatile_quantile must be a number in \[0, 1\], got 1.5"),
        (
            {"volatile_quantile": 0.9, "stressed_quantile": 0.8},
            r"stressed_quantile must be >= volatile_quantile \(0.9\), got 0.8",
        ),
        ({"stressed_drawdown": 0.0}, "stressed_drawdown must be above 0, got 0.0"),
        ({"min_history": True}, "min_history must be an integer >= 1, got True"),
    ],
)
def test_bad_parameters_are_refused(
    vti: pd.Series, params: dict[str, object], message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        RuleRegime(**params).fit(vti)  # type: ignore[arg-type]
