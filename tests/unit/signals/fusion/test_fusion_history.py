"""SignalHistory: a frozen record of scores and realised labels, sliced point in time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fusion_testdata import HORIZON, panel

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.signals.forecast import ForecastScores
from microfolio.signals.fusion import SignalHistory


def test_known_at_keeps_only_labels_ended_by_t() -> None:
    data = panel(n_dates=40, n_tickers=4)
    history = data.history(data.z, "good")
    t = data.sessions[30]

    known = history.known_at(t, HORIZON, data.sessions)

    # the label of sessions[i] ends at sessions[i + 21]: known at sessions[30] for i <= 9
    assert list(known.dates) == list(data.sessions[:10])
    assert len(known) == 10 * 4
    assert known.name == "good"


def test_known_at_counts_sessions_not_calendar_days() -> None:
    sessions = pd.DatetimeIndex(["2021-01-04", "2021-01-05", "2021-01-11", "2021-01-12"])
    index = pd.MultiIndex.from_product([sessions[:2], ["A", "B"]], names=["date", "ticker"])
    history = SignalHistory(pd.Series(1.0, index=index), pd.Series(0.1, index=index), "s")

    # horizon 2: the label of 01-04 ends at 01-11, that of 01-05 at 01-12
    assert list(history.known_at("2021-01-10", 2, sessions).dates) == []
    assert list(history.known_at("2021-01-11", 2, sessions).dates) == [sessions[0]]
    assert len(history.known_at("2021-01-12", 2, sessions)) == 4


def test_known_at_drops_unrealised_labels_and_dates_past_the_calendar() -> None:
    data = panel(n_dates=40, n_tickers=3)
    labels = data.labels.copy()
    labels.iloc[0] = np.nan
    history = SignalHistory(pd.Series(data.z, index=data.index), labels, "s")

    known = history.known_at(data.sessions[-1], HORIZON, data.sessions[:45])

    # 45 sessions: labels of the first 24 dates end inside them; one of those is NaN
    assert len(known) == 24 * 3 - 1
    assert known.labels.notna().all()


def test_from_scores_aligns_labels_and_names_after_the_model() -> None:
    data = panel(n_dates=10, n_tickers=3)
    rows = data.index[::2]
    forecast = ForecastScores(
        pd.Series(1.0, index=rows), pd.Series(0.5, index=rows), model_id="momentum"
    )

    history = SignalHistory.from_scores(forecast, data.labels)

    assert history.name == "momentum"
    assert history.scores.index.equals(rows)
    assert history.labels.equals(data.labels.reindex(rows).rename("label"))


def test_history_is_frozen_and_hands_out_copies() -> None:
    data = panel(n_dates=10, n_tickers=3)
    history = data.history(data.z, "s")

    scores = history.scores
    scores.iloc[0] = 99.0

    assert history.scores.iloc[0] == data.z[0]
    with pytest.raises(AttributeError, match="frozen"):
        history._name = "other"  # type: ignore[misc]


def test_bad_histories_are_refused_with_the_argument_named() -> None:
    data = panel(n_dates=10, n_tickers=3)
    scores = pd.Series(data.z, index=data.index)

    with pytest.raises(DataFormatError, match="labels must have the"):
        SignalHistory(scores, data.labels.iloc[1:], "s")
    with pytest.raises(DataFormatError, match="scores must be finite"):
        SignalHistory(scores.where(scores > 0), data.labels, "s")
    with pytest.raises(DataFormatError, match="scores index must be a"):
        SignalHistory(scores.droplevel("ticker"), data.labels, "s")
    with pytest.raises(InvariantError, match="name must be a non-empty string"):
        SignalHistory(scores, data.labels, " ")
    with pytest.raises(InvariantError, match="name must be given"):
        SignalHistory.from_scores(scores, data.labels)


def test_known_at_refuses_bad_dates_horizons_and_calendars() -> None:
    data = panel(n_dates=10, n_tickers=3)
    history = data.history(data.z, "s")

    with pytest.raises(InvariantError, match="t must be a date"):
        history.known_at(12, HORIZON, data.sessions)
    with pytest.raises(InvariantError, match="horizon must be an integer >= 1"):
        history.known_at(data.as_of, 0, data.sessions)
    with pytest.raises(InvariantError, match="sessions must be strictly increasing"):
        history.known_at(data.as_of, HORIZON, data.sessions[::-1])
    with pytest.raises(NotFoundError, match="is not one of the sessions"):
        history.known_at(data.as_of, HORIZON, data.sessions[1:])
