"""The champion/challenger lifecycle on synthetic families whose per-date rank IC is set by
construction: "same" scores are the realised returns (IC 1), "swap" exchanges the two best
tickers (IC 1 - 12/990 = 0.98788 with 10 tickers), "reverse" negates them (IC -1).

40 sessions, a 2-session horizon, a window of 10 sessions, 3 IC dates needed; scores from
session 5, fits at sessions 5, 15 and 25, checks every second session from session 5."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from microfolio.clock import FixedClock
from microfolio.errors import InvariantError, NotFoundError
from microfolio.features import INDEX_NAMES
from microfolio.services.research.lifecycle import (
    STEP_COLUMNS,
    FamilyRun,
    Lifecycle,
    LifecycleStep,
    champion_scores,
    run_lifecycle,
)
from microfolio.signals.monitor import (
    InMemoryRegistry,
    ModelRegistry,
    ModelStatus,
    RegistryAction,
    rank_ic,
)
from microfolio.store import SqlModelRegistry, Store

KIND = "return:etfs:2d"
HORIZON = 2
WINDOW = 10
MIN_DATES = 3
FIRST_TEST = 5
FIT_AT = (5, 15, 25)
TICKERS = [f"T{i}" for i in range(10)]
SESSIONS = pd.bdate_range("2024-01-01", periods=40)
CHECKS = SESSIONS[FIRST_TEST::2]
SWAP_IC = 1 - 12 / 990

Rule = Callable[[int], str]


def day(position: int) -> dt.date:
    return SESSIONS[position].date()


def model(family: str, position: int) -> str:
    return f"{family}@{day(position).isoformat()}"


def realised_returns(seed: int = 7) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([SESSIONS, TICKERS], names=INDEX_NAMES)
    return pd.Series(rng.normal(0.0, 0.02, len(index)), index=index, name="realised")


def scores_of(realised: pd.Series, rule: Rule, first: int = FIRST_TEST) -> pd.Series:
    """Per session from ``first``, the realised returns kept, swapped or reversed."""
    pieces = {}
    for position in range(first, len(SESSIONS)):
        values = realised.xs(SESSIONS[position], level="date").copy()
        how = rule(position)
        if how == "reverse":
            values = -values
        elif how == "swap":
            top, second = values.sort_values().index[[-1, -2]]
            values[top], values[second] = values[second], values[top]
        pieces[SESSIONS[position]] = values
    scores = pd.concat(pieces, names=list(INDEX_NAMES))
    scores.name = "score"
    return scores


def family(name: str, realised: pd.Series, rule: Rule, fits: tuple[int, ...] = FIT_AT) -> FamilyRun:
    first = fits[0]
    return FamilyRun(
        name=name,
        scores=scores_of(realised, rule, first),
        params={"alpha": 0.5},
        fits=tuple((day(p - HORIZON - 1).isoformat(), day(p).isoformat(), 100 * p) for p in fits),
    )


def ranked_runs(realised: pd.Series) -> dict[str, FamilyRun]:
    """good (IC 1) > weak (0.988) > bad (-1), on every date."""
    return {
        "good": family("good", realised, lambda _: "same"),
        "weak": family("weak", realised, lambda _: "swap"),
        "bad": family("bad", realised, lambda _: "reverse"),
    }


def crossing_runs(realised: pd.Series) -> dict[str, FamilyRun]:
    """a is perfect before session 12 and swaps after; b the other way round."""
    return {
        "a": family("a", realised, lambda p: "same" if p < 12 else "swap"),
        "b": family("b", realised, lambda p: "swap" if p < 12 else "same"),
    }


def lifecycle(
    runs: Mapping[str, FamilyRun],
    realised: pd.Series,
    registry: ModelRegistry | None = None,
    clock: FixedClock | None = None,
    min_improvement: float = 0.01,
) -> Lifecycle:
    return run_lifecycle(
        runs,
        realised,
        CHECKS,
        SESSIONS,
        HORIZON,
        kind=KIND,
        data_version="synthetic-1",
        first_train=day(0),
        registry=InMemoryRegistry() if registry is None else registry,
        clock=clock,
        window=WINDOW,
        min_dates=MIN_DATES,
        min_improvement=min_improvement,
    )


def step_at(result: Lifecycle, position: int) -> LifecycleStep:
    (found,) = [s for s in result.decisions if s.date == day(position)]
    return found


def test_the_first_champion_is_the_best_family_once_min_dates_are_known() -> None:
    # Arrange
    realised = realised_returns()
    runs = ranked_runs(realised)
    # Act
    result = lifecycle(runs, realised)
    # Assert: at session 7 only session 5's label is known (1 IC date), at 9 three are
    by_date = result.champion_by_date
    assert by_date[SESSIONS[5]] is None
    assert by_date[SESSIONS[7]] is None
    assert by_date[SESSIONS[9]] == "good"
    early, first = result.decisions[1], result.decisions[2]
    assert early.reason.startswith("no champion yet")
    assert early.validation["good"].scores["dates"] == 1
    assert first.promoted == model("good", 5)
    assert first.challenger == "good"
    assert first.challenger_ic == pytest.approx(1.0)
    assert first.reason.startswith("first champion: good has the best window ic 1")
    assert set(by_date.iloc[2:]) == {"good"}
    assert result.switches == 0
    table = result.table()
    assert list(table.columns) == list(STEP_COLUMNS)
    assert list(table.index) == list(CHECKS)


def test_a_challenger_beating_the_champion_by_more_than_the_margin_is_promoted() -> None:
    # Arrange
    realised = realised_returns()
    registry = InMemoryRegistry()
    # Act
    result = lifecycle(crossing_runs(realised), realised, registry, min_improvement=0.01)
    # Assert: from session 23 the window (sessions 12..21) is all after the crossing
    by_date = result.champion_by_date
    assert set(by_date[(by_date.index >= SESSIONS[9]) & (by_date.index < SESSIONS[23])]) == {"a"}
    assert set(by_date[by_date.index >= SESSIONS[23]]) == {"b"}
    assert result.switches == 1
    switch = step_at(result, 23)
    assert switch.switched
    assert switch.incumbent == "a"
    assert switch.promoted == model("b", 15)
    assert switch.challenger_ic - switch.incumbent_ic == pytest.approx(1 - SWAP_IC)
    assert switch.reason.startswith("b replaces a: challenger wins")
    before = step_at(result, 21)
    assert before.promoted is None
    assert before.reason.startswith("champion stays")
    champion = registry.champion(KIND)
    assert champion is not None
    assert champion.model_id == model("b", 25)


def test_a_challenger_within_the_margin_stays_out_and_the_champion_refit_is_promoted() -> None:
    # Arrange
    realised = realised_returns()
    registry = InMemoryRegistry()
    # Act: the best improvement b ever shows is 1 - 0.98788 = 0.0121 < 0.02
    result = lifecycle(crossing_runs(realised), realised, registry, min_improvement=0.02)
    # Assert
    assert set(result.champion_by_date.dropna()) == {"a"}
    assert result.switches == 0
    late = step_at(result, 23)
    assert late.challenger == "b"
    assert late.promoted is None
    assert late.reason.startswith("champion stays")
    refit = step_at(result, 15)
    assert refit.promoted == model("a", 15)
    assert "refit of the champion family a: window ic" in refit.reason
    assert step_at(result, 25).promoted == model("a", 25)
    champion = registry.champion(KIND)
    assert champion is not None
    assert champion.model_id == model("a", 25)
    promotions = [e for e in registry.history(KIND) if e.action is RegistryAction.PROMOTED]
    assert [e.reason.split(":")[0] for e in promotions[1:]] == [
        "refit of the champion family a",
        "refit of the champion family a",
    ]


def comeback_runs(realised: pd.Series, a_fits: tuple[int, ...]) -> dict[str, FamilyRun]:
    """a is perfect, then backwards on sessions 9..14, then perfect again; b swaps throughout."""

    def a_rule(p: int) -> str:
        return "reverse" if 9 <= p < 15 else "same"

    return {
        "a": family("a", realised, a_rule, fits=a_fits),
        "b": family("b", realised, lambda _: "swap"),
    }


@pytest.mark.parametrize("registry_kind", ["memory", "sql"])
def test_a_replaced_champion_family_competes_again_only_with_its_next_fit(
    tmp_path: Path, registry_kind: str
) -> None:
    # Arrange: a loses the crown at session 11; from session 27 its window beats b's again
    realised = realised_returns()
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.migrate()
    registry: ModelRegistry = (
        InMemoryRegistry() if registry_kind == "memory" else SqlModelRegistry(store)
    )
    try:
        # Act
        without = lifecycle(comeback_runs(realised, (5,)), realised)
        with_refit = lifecycle(comeback_runs(realised, (5, 33)), realised, registry)
        retired = registry.get(model("a", 5)).status
    finally:
        store.dispose()
    # Assert: a@5 was retired when b took over, so a cannot come back until its fit of 33
    assert step_at(without, 11).promoted == model("b", 5)
    assert set(without.champion_by_date[SESSIONS[11] :]) == {"b"}
    assert retired is ModelStatus.RETIRED
    assert step_at(with_refit, 31).champion == "b"
    comeback = step_at(with_refit, 33)
    assert comeback.promoted == model("a", 33)
    assert comeback.reason.startswith("a replaces b")
    assert with_refit.switches == 2


def test_the_window_is_the_same_for_every_family_and_holds_only_known_labels() -> None:
    # Arrange: a late family scored from session 15 only
    realised = realised_returns()
    runs = {
        **crossing_runs(realised),
        "late": family("late", realised, lambda _: "same", fits=(15, 25)),
    }
    # Act
    result = lifecycle(runs, realised)
    # Assert: at session 21 labels are known up to session 19; the window is sessions 10..19
    step = step_at(result, 21)
    windows = {scores.window for scores in step.validation.values()}
    assert windows == {(day(10), day(19))}
    assert (step.window_start, step.window_end) == (day(10), day(19))
    assert step.validation["a"].scores["dates"] == 10
    assert step.validation["late"].scores["dates"] == 5
    ic = rank_ic(runs["a"].scores, realised).loc[SESSIONS[10] : SESSIONS[19]]
    a_scores = step.validation["a"].scores
    assert a_scores["ic"] == pytest.approx(ic.mean())
    assert a_scores["ic_t_stat"] == pytest.approx(ic.mean() / (ic.std() / math.sqrt(10)))
    assert "ic_t_stat" not in step.validation["late"].scores


def test_labels_not_yet_known_change_nothing_and_known_ones_do() -> None:
    # Arrange: runs built once; labels after session 19 (unknown at 21) reversed, or session 19's
    realised = realised_returns()
    runs = crossing_runs(realised)
    unknown = realised.copy()
    unknown[unknown.index.get_level_values("date") > SESSIONS[19]] *= -1
    known = realised.copy()
    known[known.index.get_level_values("date") == SESSIONS[19]] *= -1
    # Act
    base = lifecycle(runs, realised)
    unknown_changed = lifecycle(runs, unknown)
    known_changed = lifecycle(runs, known)
    # Assert
    upto = [i for i, t in enumerate(CHECKS) if t <= SESSIONS[21]]
    for i in upto:
        original, other = base.decisions[i], unknown_changed.decisions[i]
        assert other.validation == original.validation
        assert other.champion_model == original.champion_model
        assert other.reason == original.reason
    assert unknown_changed.decisions[-1].validation != base.decisions[-1].validation
    assert step_at(known_changed, 21).validation != step_at(base, 21).validation
    assert step_at(known_changed, 19).validation == step_at(base, 19).validation


def test_superseded_records_are_retired() -> None:
    # Arrange
    realised = realised_returns()
    registry = InMemoryRegistry()
    # Act
    lifecycle(ranked_runs(realised), realised, registry)
    # Assert
    assert registry.get(model("weak", 5)).status is ModelStatus.RETIRED
    assert registry.get(model("weak", 15)).status is ModelStatus.RETIRED
    assert registry.get(model("good", 5)).status is ModelStatus.RETIRED
    assert [r.model_id for r in registry.challengers(KIND)] == [model("weak", 25), model("bad", 25)]
    retired = {e.model_id: e.reason for e in registry.history(KIND) if e.action == "retired"}
    assert retired[model("weak", 5)] == f"superseded by {model('weak', 15)}"
    assert retired[model("bad", 15)] == f"superseded by {model('bad', 25)}"
    assert retired[model("good", 5)].startswith(f"replaced by '{model('good', 15)}'")


def test_the_history_holds_a_register_event_per_fit_and_promotions_with_reasons() -> None:
    # Arrange
    realised = realised_returns()
    runs = ranked_runs(realised)
    registry = InMemoryRegistry()
    # Act
    lifecycle(runs, realised, registry)
    # Assert
    history = registry.history(KIND)
    registered = [e.model_id for e in history if e.action is RegistryAction.REGISTERED]
    expected = [model(name, p) for p in FIT_AT for name in runs]
    assert registered == expected
    promoted = [(e.model_id, e.reason) for e in history if e.action is RegistryAction.PROMOTED]
    assert [m for m, _ in promoted] == [model("good", p) for p in FIT_AT]
    assert promoted[0][1].startswith("first champion: good")
    assert all(r.startswith("refit of the champion family good") for _, r in promoted[1:])
    record = registry.get(model("weak", 15))
    assert record.train_start == day(0)
    assert record.train_end == day(12)
    assert record.created == day(15)
    assert record.params["family"] == "weak"
    assert record.params["rows"] == 1500
    assert record.params["alpha"] == 0.5
    assert record.params["window_at_creation"]["end"] == day(13).isoformat()
    assert record.params["window_at_creation"]["dates"] == 9
    assert record.validation.window == (day(15), day(15))


def test_champion_scores_switch_families_exactly_at_switch_dates() -> None:
    # Arrange
    realised = realised_returns()
    runs = crossing_runs(realised)
    result = lifecycle(runs, realised, min_improvement=0.01)
    # Act
    used = champion_scores(result, runs)
    # Assert: nothing before the first champion (session 9), a until 22, b from 23
    dates_a = runs["a"].scores.index.get_level_values("date")
    dates_b = runs["b"].scores.index.get_level_values("date")
    expected = pd.concat(
        [
            runs["a"].scores[(dates_a >= SESSIONS[9]) & (dates_a < SESSIONS[23])],
            runs["b"].scores[dates_b >= SESSIONS[23]],
        ]
    )
    pd.testing.assert_series_equal(used, expected, check_names=False)
    assert used.index.get_level_values("date").min() == SESSIONS[9]
    assert used.name == "score"


def test_the_sql_registry_gives_the_same_champion_and_history(store: Store) -> None:
    # Arrange: the store on SQLite and on PostgreSQL
    realised = realised_returns()
    runs = crossing_runs(realised)
    clock = FixedClock(day(0))
    sql = SqlModelRegistry(store, clock)
    memory = InMemoryRegistry()
    # Act
    in_sql = lifecycle(runs, realised, sql, clock)
    in_memory = lifecycle(runs, realised, memory, FixedClock(day(0)))
    # Assert
    sql_champion, memory_champion = sql.champion(KIND), memory.champion(KIND)
    assert sql_champion is not None
    assert memory_champion is not None
    assert sql_champion.model_id == memory_champion.model_id == model("b", 25)
    assert sql.history(KIND) == memory.history(KIND)
    assert {e.action for e in sql.history(KIND)} == set(RegistryAction)
    assert list(in_sql.champion_by_date) == list(in_memory.champion_by_date)
    assert clock.today() == CHECKS[-1].date()


def test_a_check_date_that_is_not_a_session_is_refused() -> None:
    realised = realised_returns()
    with pytest.raises(NotFoundError, match="check date 2024-01-06 is not a session"):
        run_lifecycle(
            ranked_runs(realised),
            realised,
            pd.DatetimeIndex([pd.Timestamp("2024-01-06")]),
            SESSIONS,
            HORIZON,
            kind=KIND,
            data_version="synthetic-1",
            first_train=day(0),
            registry=InMemoryRegistry(),
        )


def test_a_registry_that_already_holds_the_kind_is_refused() -> None:
    # Arrange
    realised = realised_returns()
    registry = InMemoryRegistry()
    lifecycle(ranked_runs(realised), realised, registry)
    # Act / Assert
    with pytest.raises(InvariantError, match="already holds models of kind"):
        lifecycle(ranked_runs(realised), realised, registry)
