"""The short study end to end: its tables, its deflated Sharpe ratios, its verdict, and that
nothing known after a date moves what was decided at that date."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from research_testdata import END, TEST_START, market_of, perturb_after, short_config

from microfolio.risk.sharpe_stats import SharpeMoments, deflated_sharpe_ratio
from microfolio.services.research import CONFIDENCE, ResearchResult, run_research
from microfolio.signals.monitor import InMemoryRegistry, RegistryAction

MODELS = ("momentum", "zero", "elastic_net")
BASELINES = ("equal_weight", "inverse_vol", "sixty_forty", "min_variance")


def test_the_study_reports_every_model_and_strategy_out_of_sample(
    research_result: ResearchResult,
) -> None:
    result = research_result

    assert [m.model for m in result.models] == list(MODELS)
    assert [s.name for s in result.strategies] == [*MODELS, "champion", *BASELINES]
    assert {s.kind for s in result.strategies if s.name in MODELS} == {"model"}
    assert {s.kind for s in result.strategies if s.name in BASELINES} == {"baseline"}
    # the test starts on the first session of July 2010 and rebalances every 21 sessions
    assert result.test_start == "2010-07-01"
    assert result.test_end == END
    assert result.rebalances == 30
    assert result.returns.index[0] == pd.Timestamp(TEST_START)
    for weights in result.weights.values():
        assert len(weights) == result.rebalances
        assert (weights.sum(axis=1) <= 1.0 + 1e-9).all()
    uses = [p.use for p in result.periods]
    assert "first training window" in uses
    assert "test (out of sample)" in uses
    training = result.periods[uses.index("first training window")]
    assert training.end < TEST_START  # purged: the last training label ends before the test
    assert result.config_hash == short_config().config_hash()
    assert [v.model for v in result.volatility] == sorted(
        ("ewma", "har"), key=lambda m: next(v.mean_qlike for v in result.volatility if v.model == m)
    )
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert payload["verdict"]["sentence"] == result.verdict.sentence


def test_forecast_and_strategy_numbers_are_finite(research_result: ResearchResult) -> None:
    scores = {m.model: m for m in research_result.models}

    for name in ("momentum", "elastic_net"):
        model = scores[name]
        for value in (model.ic, model.ic_t_stat, model.ic_honest, model.ic_honest_t_stat):
            assert math.isfinite(value)
        assert 0.0 < model.hit_rate < 1.0
        # every 21st date: about a 21st of the dates, and an honest (smaller) sample
        assert model.ic_honest_dates == pytest.approx(model.ic_dates / 21, abs=2)
    assert scores["zero"].ic == 0.0  # no view, no ranking
    assert scores["elastic_net"].params == {
        "zscore_by_date": scores["elastic_net"].params["zscore_by_date"]
    }
    assert len(scores["elastic_net"].tuning) == 2  # both candidates scored on the first window
    for strategy in research_result.strategies:
        for value in (
            strategy.annual_return,
            strategy.volatility,
            strategy.sharpe,
            strategy.sortino,
            strategy.max_drawdown,
            strategy.turnover,
            strategy.dsr,
        ):
            assert math.isfinite(value), strategy.name
        assert 0.0 <= strategy.dsr <= 1.0
    for v in research_result.volatility:
        assert math.isfinite(v.mean_qlike)
        assert v.tickers == 15


def test_the_deflated_sharpe_ratio_counts_each_distinct_strategy_once(
    research_result: ResearchResult,
) -> None:
    # Arrange: "zero" never gives a view, so its returns repeat equal weight's
    returns = research_result.returns
    repeated = {s.name: s.same_as for s in research_result.strategies if s.same_as}
    distinct = [c for c in returns.columns if c not in repeated]
    trials = [SharpeMoments.from_returns(returns[c]).sr for c in distinct]
    # Assert
    assert repeated == {"equal_weight": "zero"}
    assert len(trials) == len(MODELS) + 1 + len(BASELINES) - 1 == research_result.verdict.n_trials
    for strategy in research_result.strategies:
        expected = deflated_sharpe_ratio(returns[strategy.name], trials)
        assert strategy.n_trials == 7
        assert strategy.dsr == pytest.approx(expected.dsr, abs=1e-12)
        assert strategy.sr0 == pytest.approx(expected.sr0, abs=1e-12)


def test_the_registry_holds_every_fit_and_the_champion_strategy_follows_the_lifecycle(
    research_run: tuple[ResearchResult, InMemoryRegistry],
) -> None:
    # Arrange
    result, registry = research_run
    lifecycle = result.lifecycle
    assert lifecycle is not None
    events = registry.history(lifecycle.kind)
    fits = {name: sum(c.refit for c in checks) for name, checks in result.retraining}
    champion = result.weights["champion"]
    by_date = lifecycle.champion_by_date
    first = by_date.first_valid_index()
    # Assert: one registered record per fit of every model, each named by family and date
    registered = [e.model_id for e in events if e.action == RegistryAction.REGISTERED]
    assert len(registered) == sum(fits.values()) == 3 * 10  # 30 rebalances of 21 in blocks of 63
    assert {m.split("@")[0] for m in registered} == set(MODELS)
    # the champion in the registry is the lifecycle's last, and every promotion has a reason
    last = lifecycle.decisions[-1]
    current = registry.champion(lifecycle.kind)
    assert current is not None
    assert current.model_id == last.champion_model
    assert all(e.reason for e in events if e.action == RegistryAction.PROMOTED)
    # one decision per rebalance; before the first champion the strategy holds equal weight
    assert list(by_date.index) == list(champion.index)
    assert first is not None
    assert first > champion.index[0]
    before = champion.loc[: first - pd.Timedelta(days=1)]
    equal = result.weights["equal_weight"].loc[before.index, before.columns]
    pd.testing.assert_frame_equal(before, equal, atol=1e-6)


def test_retraining_by_trigger_records_why_each_model_was_refitted(
    research_bars: pd.DataFrame,
) -> None:
    # Act
    config = short_config(models=("momentum", "zero"), retrain="trigger")
    result = run_research(config, market_of(research_bars))
    # Assert: one check per block of 63 sessions; the first fits, later ones say why
    for name, checks in result.retraining:
        assert len(checks) == 10, name
        assert checks[0].refit
        assert checks[0].reasons == ("initial",)
        for check in checks[1:]:
            assert check.refit == bool(check.reasons), check.detail
            assert set(check.reasons) <= {"feature_drift", "error_drift", "age"}
            assert check.detail
    payload = result.to_dict()["retraining"]
    assert payload["momentum"]["checks"] == 10
    assert payload["momentum"]["refits"] == sum(
        c.refit for c in dict(result.retraining)["momentum"]
    )


def test_a_model_without_views_holds_the_equal_weight_prior(
    research_result: ResearchResult,
) -> None:
    zero = research_result.weights["zero"]
    equal = research_result.weights["equal_weight"]

    pd.testing.assert_frame_equal(zero, equal[zero.columns], atol=1e-6)
    assert research_result.strategy("zero").views_share == 0.0
    assert research_result.strategy("zero").sharpe == pytest.approx(
        research_result.strategy("equal_weight").sharpe, abs=1e-6
    )


def test_the_verdict_sentence_matches_the_numbers(research_result: ResearchResult) -> None:
    strategies = research_result.strategies
    verdict = research_result.verdict
    best_baseline = max((s for s in strategies if s.kind == "baseline"), key=lambda s: s.sharpe)
    beaten = [
        s.name
        for s in strategies
        if s.kind == "model" and s.sharpe > best_baseline.sharpe and s.dsr >= CONFIDENCE
    ]
    best_dsr = max(strategies, key=lambda s: s.dsr)

    assert list(verdict.winners) == beaten
    assert verdict.best_baseline == best_baseline.name
    assert f"{best_baseline.name}, had {best_baseline.sharpe:.2f}" in verdict.sentence
    assert f"{best_dsr.dsr:.2f} ({best_dsr.name})" in verdict.sentence or beaten
    assert "10 bp costs" in verdict.sentence
    if not beaten:
        assert verdict.sentence.startswith("No model beat the baselines")
    else:
        assert all(name in verdict.sentence for name in beaten)


def _same_study(left: ResearchResult, right: ResearchResult) -> None:
    pd.testing.assert_frame_equal(left.returns, right.returns)
    for name, weights in left.weights.items():
        pd.testing.assert_frame_equal(weights, right.weights[name])
    assert [m.to_dict() | {"seconds": 0} for m in left.models] == [
        m.to_dict() | {"seconds": 0} for m in right.models
    ]
    assert left.volatility == right.volatility
    assert left.strategies == right.strategies
    assert left.verdict == right.verdict


def test_prices_after_the_end_change_nothing_with_workers_or_without(
    research_bars: pd.DataFrame, research_result: ResearchResult
) -> None:
    perturbed = market_of(perturb_after(research_bars, END))

    again = run_research(short_config(), perturbed, workers=2)

    assert again.data_version != research_result.data_version  # the data did change
    _same_study(research_result, again)


def test_prices_after_a_rebalance_date_leave_that_dates_weights_alone(
    research_bars: pd.DataFrame, research_result: ResearchResult
) -> None:
    weights = research_result.weights
    t = weights["momentum"].index[10]  # 2011-03-31: both models' calibrations give views
    perturbed = market_of(perturb_after(research_bars, str(t.date())))

    again = run_research(short_config(), perturbed)

    for name, frame in weights.items():
        columns = frame.columns.union(again.weights[name].columns)
        before = frame.reindex(columns=columns, fill_value=0.0).loc[:t]
        after = again.weights[name].reindex(columns=columns, fill_value=0.0).loc[:t]
        pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(research_result.returns.loc[:t], again.returns.loc[:t])
    equal = weights["equal_weight"].loc[t]
    for name in ("momentum", "elastic_net"):  # views, not the prior, were at stake on t
        assert not np.allclose(weights[name].loc[t].reindex(equal.index, fill_value=0.0), equal)
    later = weights["elastic_net"].iloc[11:]
    moved = again.weights["elastic_net"].iloc[11:].reindex(columns=later.columns, fill_value=0.0)
    assert not np.allclose(later, moved)  # and the perturbed future did move later decisions
