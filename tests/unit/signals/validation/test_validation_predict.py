"""Walk-forward prediction and parameter choice: out of sample by construction."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from validation_testdata import synthetic

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import FeatureFrame, label_end
from microfolio.signals.forecast import (
    ElasticNetForecaster,
    ForecastScores,
    LstmForecaster,
    MomentumBaseline,
    ZeroForecaster,
)
from microfolio.signals.validation import (
    PurgedKFold,
    Split,
    WalkForward,
    choose_params,
    information_coefficient,
    walk_forward_predict,
)

HORIZON = 21
XY = tuple[FeatureFrame, pd.Series]

WF = WalkForward(test_size=126, horizon=HORIZON, min_train=252)


def test_walk_forward_predict_scores_only_test_dates_out_of_sample(val_xy: XY) -> None:
    x, y = val_xy
    splits = list(WF.split(x.dates))

    result = walk_forward_predict(ElasticNetForecaster(), x, y, splits)

    tested = pd.DatetimeIndex(np.concatenate([s.test for s in splits]))
    assert result.forecast.dates.isin(tested).all()
    assert len(result.splits) == len(splits)
    table = result.table()
    assert list(table.index) == list(range(len(splits)))
    assert (table["n_train"] > 0).all()
    assert (table["n_test"] > 0).all()
    assert table["ic"].iloc[:-1].notna().all()
    # each split's scores are those of a model fitted on its purged training dates alone
    train, test = splits[2]
    rows = x.frame.index.get_level_values("date").isin(train)
    alone = ElasticNetForecaster().fit(FeatureFrame(x.frame[rows]), y[rows])
    test_rows = x.frame.index.get_level_values("date").isin(test)
    expected = alone.predict(FeatureFrame(x.frame[test_rows])).scores
    pd.testing.assert_series_equal(result.forecast.select(test).scores, expected)


def test_walk_forward_predictions_ignore_labels_from_the_test_start_on(val_xy: XY) -> None:
    x, y = val_xy
    splits = list(WF.split(x.dates))[:2]
    start = splits[0].test[0]
    future = y.index.get_level_values("date") >= start
    scrambled = y.copy()
    scrambled[future] = np.random.default_rng(0).standard_normal(int(future.sum()))

    honest = walk_forward_predict(ElasticNetForecaster(), x, y, splits)
    perturbed = walk_forward_predict(ElasticNetForecaster(), x, scrambled, splits)

    first = splits[0].test
    assert honest.forecast.select(first) == perturbed.forecast.select(first)


def test_walk_forward_predict_hands_the_lstm_its_context(val_xy: XY) -> None:
    x, y = val_xy
    splits = list(WF.split(x.dates))[:2]
    lstm = LstmForecaster(epochs=1, hidden_size=4, mc_samples=2)

    result = walk_forward_predict(lstm, x, y, splits)

    # the first test date is scored: the 20 dates before it were handed over as context
    assert result.forecast.dates[0] == splits[0].test[0]
    assert not hasattr(lstm, "n_train_")  # the template is cloned, never fitted


def test_walk_forward_predict_of_the_zero_forecaster_has_zero_ic(val_xy: XY) -> None:
    x, y = val_xy

    result = walk_forward_predict(ZeroForecaster(), x, y, WF.split(x.dates))

    assert information_coefficient(result.forecast, y).mean == 0.0


def test_walk_forward_predict_refuses_repeated_test_dates(val_xy: XY) -> None:
    x, y = val_xy
    split = next(iter(WF.split(x.dates)))

    with pytest.raises(InvariantError, match="split 1 tests dates an earlier split already"):
        walk_forward_predict(MomentumBaseline(), x, y, [split, split])


def test_walk_forward_predict_refuses_misaligned_labels_and_no_splits(val_xy: XY) -> None:
    x, y = val_xy

    with pytest.raises(DataFormatError, match="y must have the \\(date, ticker\\) rows of X"):
        walk_forward_predict(MomentumBaseline(), x, y.iloc[1:], WF.split(x.dates))
    with pytest.raises(DataFormatError, match="splits is empty"):
        walk_forward_predict(MomentumBaseline(), x, y, [])


# -- choosing parameters --------------------------------------------------------------------------


class _Spy(ElasticNetForecaster):
    """An ElasticNet that records the dates it was fitted and asked to score."""

    fitted_dates: ClassVar[list[pd.DatetimeIndex]] = []
    scored_dates: ClassVar[list[pd.DatetimeIndex]] = []

    def fit(self, x: FeatureFrame, y: pd.Series) -> Any:
        _Spy.fitted_dates.append(x.dates)
        return super().fit(x, y)

    def predict(self, x: FeatureFrame) -> ForecastScores:
        _Spy.scored_dates.append(x.dates)
        return super().predict(x)


def test_choose_params_picks_the_best_ic_and_never_touches_the_holdout() -> None:
    x, y = synthetic(n_dates=120)
    holdout = x.dates[-30:]
    cv = PurgedKFold(n_splits=3, horizon=5, embargo=2)
    _Spy.fitted_dates.clear()
    _Spy.scored_dates.clear()

    search = choose_params(_Spy, {"alpha": [1e-4, 10.0]}, x, y, cv, holdout=holdout)

    assert dict(search.best_params) == {"alpha": 1e-4}
    assert search.best_score > 0.9
    assert len(search.results) == 2
    assert len(search.results[0].fold_ics) == 3
    assert search.results[1].mean_ic == 0.0  # alpha=10 zeroes every coefficient: no view
    assert len(_Spy.fitted_dates) == 6
    sessions = x.dates
    for dates in _Spy.fitted_dates + _Spy.scored_dates:
        assert not dates.isin(holdout).any()
        assert max(label_end(d, 5, sessions) for d in dates) < holdout[0]


def test_choose_params_refuses_an_empty_grid() -> None:
    x, y = synthetic()

    with pytest.raises(InvariantError, match="grid gives no candidate values for 'alpha'"):
        choose_params(ElasticNetForecaster, {"alpha": []}, x, y, PurgedKFold())


def test_splits_are_pairs_of_dates() -> None:
    dates = pd.bdate_range("2020-01-01", periods=4)

    train, test = Split(dates[:2], dates[2:])

    assert train.equals(dates[:2])
    assert test.equals(dates[2:])
