"""Forward labels: built from prices after t, NaN past the data; purging for walk-forward."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import InvariantError, NotFoundError
from microfolio.features import (
    FeatureSet,
    WideBars,
    forward_excess_returns,
    forward_returns,
    label_end,
    purge,
)

DAY = pd.Timestamp("2008-06-30")


def test_forward_return_is_the_ratio_of_a_later_close(panel: WideBars) -> None:
    close = panel.close["VTI"].to_numpy()
    i = int(panel.close.index.get_loc(DAY))

    labels = forward_returns(panel, 21)

    assert labels.name == "fwd_ret_21"
    assert labels.loc[(DAY, "VTI")] == pytest.approx(close[i + 21] / close[i] - 1, rel=1e-12)


def test_forward_returns_are_nan_past_the_data(panel: WideBars) -> None:
    labels = forward_returns(panel, 5).xs("VTI", level="ticker")

    assert labels.iloc[-5:].isna().all()
    assert labels.iloc[:-5].notna().all()


def test_labels_line_up_with_the_feature_rows(panel: WideBars) -> None:
    features = FeatureSet().fit_transform(panel)

    assert forward_returns(panel, 21).index.equals(features.frame.index)


def test_excess_over_a_benchmark_subtracts_its_forward_return(panel: WideBars) -> None:
    raw = forward_returns(panel, 21)

    excess = forward_excess_returns(panel, 21, benchmark="SPY")

    expected = raw.loc[(DAY, "VTI")] - raw.loc[(DAY, "SPY")]
    assert excess.name == "fwd_excess_21"
    assert excess.loc[(DAY, "VTI")] == pytest.approx(expected, rel=1e-12)
    assert excess.loc[(DAY, "SPY")] == 0.0


def test_excess_over_the_cross_section_averages_to_zero(panel: WideBars) -> None:
    excess = forward_excess_returns(panel, 21).dropna()

    means = excess.groupby(level="date").mean()

    np.testing.assert_allclose(means, 0.0, atol=1e-15)


def test_an_unknown_benchmark_is_refused(panel: WideBars) -> None:
    with pytest.raises(NotFoundError, match="benchmark 'XYZ' is not a ticker of the bars"):
        forward_excess_returns(panel, 21, benchmark="XYZ")


@pytest.mark.parametrize("horizon", [0, -1, 2.5])
def test_a_bad_horizon_is_refused(panel: WideBars, horizon: object) -> None:
    with pytest.raises(InvariantError, match="horizon must be an integer >= 1"):
        forward_returns(panel, horizon)  # type: ignore[arg-type]


def test_label_end_is_the_session_horizon_steps_later(panel: WideBars) -> None:
    sessions = panel.sessions
    i = int(sessions.get_loc(DAY))

    assert label_end(DAY, 21, sessions) == sessions[i + 21]
    with pytest.raises(NotFoundError, match="ends after the last session 2008-12-31"):
        label_end(sessions[-3], 5, sessions)
    with pytest.raises(NotFoundError, match="date 2008-07-04 is not one of the sessions"):
        label_end("2008-07-04", 5, sessions)


def test_purge_drops_the_last_horizon_sessions_of_a_window(panel: WideBars) -> None:
    window = panel.sessions[100:400]

    kept = purge(window, 21)

    assert kept.equals(window[:-21])
    assert all(label_end(t, 21, panel.sessions) <= window[-1] for t in kept)
    assert label_end(window[-21], 21, panel.sessions) > window[-1]


def test_purge_counts_market_sessions_when_train_dates_skip_some(panel: WideBars) -> None:
    sessions = panel.sessions
    weekly = sessions[100:400:5]

    kept = purge(weekly, 21, sessions)

    last = sessions.get_loc(weekly[-1])
    assert all(sessions.get_loc(t) + 21 <= last for t in kept)
    assert len(kept) == len(weekly) - 5  # 21 sessions hold 5 weekly dates after the cut-off


def test_purge_refuses_a_date_outside_the_sessions(panel: WideBars) -> None:
    dates = pd.DatetimeIndex([panel.sessions[10], pd.Timestamp("2008-07-04")])

    with pytest.raises(NotFoundError, match="train date 2008-07-04 is not one of the sessions"):
        purge(dates, 5, panel.sessions)


def test_purge_of_nothing_is_nothing() -> None:
    assert len(purge(pd.DatetimeIndex([]), 5)) == 0
