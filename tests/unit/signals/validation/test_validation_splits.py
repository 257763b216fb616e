"""Walk-forward and purged k-fold splits: no label of a training date reaches its test dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import FeatureFrame, label_end
from microfolio.signals.validation import PurgedKFold, WalkForward

HORIZON = 21
SESSIONS = pd.bdate_range("2015-01-01", periods=600)


def _position(dates: pd.DatetimeIndex, day: pd.Timestamp) -> int:
    return int(dates.get_loc(day))


@pytest.mark.parametrize(
    "splitter",
    [
        WalkForward(test_size=63, horizon=21, min_train=126),
        WalkForward(test_size=20, step=40, horizon=5, min_train=30),
        WalkForward(train="rolling", train_size=200, test_size=63, horizon=21, min_train=126),
    ],
)
def test_walk_forward_splits_never_leak(splitter: WalkForward) -> None:
    for train, test in splitter.split(SESSIONS):
        ends = [label_end(t, splitter.horizon, SESSIONS) for t in train]

        assert max(ends) < test.min()
        assert train.max() < test.min()
        assert len(train) >= splitter.min_train


def test_walk_forward_splits_on_real_dates_never_leak(
    val_xy: tuple[FeatureFrame, pd.Series],
) -> None:
    dates = val_xy[0].dates

    splits = list(WalkForward(test_size=63, horizon=HORIZON, min_train=252).split(dates))

    assert len(splits) >= 10
    for train, test in splits:
        assert label_end(train.max(), HORIZON, dates) < test.min()


def test_expanding_walk_forward_tiles_the_dates_after_the_first_window() -> None:
    splitter = WalkForward(test_size=63, horizon=21, min_train=126)

    splits = list(splitter.split(SESSIONS))

    first = 126 + 21
    tested = pd.DatetimeIndex(np.concatenate([s.test for s in splits]))
    assert tested.equals(SESSIONS[first:])
    assert all(s.train[0] == SESSIONS[0] for s in splits)
    assert len(splits[0].train) == 126
    # the purge drops exactly the last horizon dates before each test block
    for train, test in splits:
        start = _position(SESSIONS, test[0])
        assert train.equals(SESSIONS[: start - 21])
    assert len(splits[-1].test) == ((600 - first) % 63 or 63)


def test_rolling_walk_forward_keeps_a_window_of_fixed_length() -> None:
    splitter = WalkForward(train="rolling", train_size=200, test_size=50, horizon=10, min_train=100)

    splits = list(splitter.split(SESSIONS))

    assert {len(s.train) for s in splits} == {190}
    assert splits[0].test[0] == SESSIONS[200]


def test_walk_forward_starts_testing_on_test_start() -> None:
    splitter = WalkForward(test_size=63, horizon=21, min_train=126, test_start="2016-01-01")

    first = next(iter(splitter.split(SESSIONS)))

    assert first.test[0] == pd.Timestamp("2016-01-01")
    assert len(first.train) == _position(SESSIONS, first.test[0]) - 21


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, "horizon must be an integer >= 1, got 0"),
        ({"test_size": 0}, "test_size must be an integer >= 1"),
        ({"step": 10, "test_size": 63}, "step must be at least test_size=63"),
        ({"train": "rolling"}, "train_size is required"),
        ({"train": "rolling", "train_size": 100}, "train_size must be at least"),
        ({"train_size": 300}, "train_size applies to a rolling walk-forward only"),
        ({"train": "sliding"}, "train must be one of expanding, rolling"),
    ],
)
def test_walk_forward_refuses_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        WalkForward(**kwargs)  # type: ignore[arg-type]


def test_walk_forward_refuses_too_few_dates() -> None:
    with pytest.raises(DataFormatError, match="dates hold 100 sessions: too few"):
        list(WalkForward(min_train=252).split(SESSIONS[:100]))


def test_splitters_refuse_dates_that_are_not_sessions() -> None:
    with pytest.raises(DataFormatError, match="dates must be unique and ascending"):
        list(PurgedKFold().split(SESSIONS[::-1]))
    with pytest.raises(DataFormatError, match="dates must be a DatetimeIndex"):
        list(WalkForward().split(list(SESSIONS)))  # type: ignore[arg-type]


# -- purged k-fold --------------------------------------------------------------------------------


@pytest.mark.parametrize("embargo", [0, 7, 0.02])
def test_purged_kfold_removes_overlapping_dates_and_embargoes(embargo: int | float) -> None:
    cv = PurgedKFold(n_splits=5, horizon=10, embargo=embargo)
    gap = cv.embargo_sessions(len(SESSIONS))

    splits = list(cv.split(SESSIONS))

    tested = pd.DatetimeIndex(np.concatenate([s.test for s in splits]))
    assert tested.equals(SESSIONS)
    for train, test in splits:
        first, last = _position(SESSIONS, test[0]), _position(SESSIONS, test[-1])
        positions = np.array([_position(SESSIONS, t) for t in train])
        # no training label interval [p, p + h] meets a test label interval
        assert not ((positions + 10 >= first) & (positions <= last + 10)).any()
        # the embargo: nothing in the gap sessions after the purged zone
        assert not ((positions > last + 10) & (positions <= last + 10 + gap)).any()
        # and everything else trains
        kept = (np.arange(600) < first - 10) | (np.arange(600) > last + 10 + gap)
        assert set(positions) == set(np.flatnonzero(kept))
    assert gap == {0: 0, 7: 7, 0.02: 12}[embargo]


def test_purged_kfold_middle_folds_train_on_both_sides() -> None:
    train, test = list(PurgedKFold(n_splits=3, horizon=5).split(SESSIONS))[1]

    assert train.min() < test.min()
    assert train.max() > test.max()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_splits": 1}, "n_splits must be an integer >= 2"),
        ({"horizon": 0}, "horizon must be an integer >= 1"),
        ({"embargo": -1}, "embargo must be an integer >= 0"),
        ({"embargo": 1.5}, r"embargo must be a number in \[0, 1\)"),
        ({"embargo": "5"}, "embargo must be a number of sessions"),
    ],
)
def test_purged_kfold_refuses_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        PurgedKFold(**kwargs)  # type: ignore[arg-type]


def test_purged_kfold_refuses_folds_with_nothing_left_to_train() -> None:
    with pytest.raises(DataFormatError, match="leaves no training dates"):
        list(PurgedKFold(n_splits=2, horizon=30).split(SESSIONS[:40]))
