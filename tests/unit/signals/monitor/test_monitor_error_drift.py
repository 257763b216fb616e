"""ErrorDriftMonitor: a skill that fell, or a loss that rose, is significant drift; the same
distribution is not. rank_ic gives the per-date skill it watches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.monitor import ErrorDriftMonitor, ErrorDriftReport, rank_ic

DATES = pd.bdate_range("2015-01-01", periods=400)


def _scores(seed: int, mean: float, sd: float = 0.1, start: int = 0, n: int = 252) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.normal(mean, sd, n), index=DATES[start : start + n], name="ic")


def test_a_fallen_skill_is_significant_drift() -> None:
    reference = _scores(1, mean=0.05)
    recent = _scores(2, mean=-0.03, start=252, n=100)

    report = ErrorDriftMonitor(window=63).fit(reference).check(recent)

    assert report.significant
    assert report.degradation == pytest.approx(report.reference_mean - report.recent_mean)
    assert report.degradation > 0.05
    assert report.p_value < 0.01
    assert report.n_recent == 63
    assert report.window_start == DATES[252 + 100 - 63].date()


def test_the_same_skill_is_not_drift() -> None:
    reference = _scores(3, mean=0.05)
    recent = _scores(4, mean=0.05, start=252, n=63)

    report = ErrorDriftMonitor().fit(reference).check(recent)

    assert not report.significant
    assert report.p_value > 0.05


def test_a_better_skill_is_not_drift() -> None:
    report = ErrorDriftMonitor().fit(_scores(5, 0.0)).check(_scores(6, 0.2, start=252, n=63))

    assert report.degradation < 0.0
    assert not report.significant


def test_for_a_loss_higher_is_worse() -> None:
    reference = _scores(7, mean=1.0)
    higher = _scores(8, mean=1.1, start=252, n=63)
    lower = _scores(9, mean=0.9, start=252, n=63)
    monitor = ErrorDriftMonitor(higher_is_better=False).fit(reference)

    assert monitor.check(higher).significant
    assert monitor.check(higher).degradation > 0.0
    assert not monitor.check(lower).significant


def test_only_the_last_window_is_compared() -> None:
    reference = _scores(10, mean=0.05)
    bad_then_good = pd.concat(
        [_scores(11, -0.2, start=252, n=80), _scores(12, 0.05, start=332, n=63)]
    )

    assert not ErrorDriftMonitor(window=63).fit(reference).check(bad_then_good).significant
    assert ErrorDriftMonitor(window=143).fit(reference).check(bad_then_good).significant


def test_constant_scores_give_certain_answers() -> None:
    flat = pd.Series(0.02, index=DATES[:100])
    lower = pd.Series(0.01, index=DATES[100:200])
    monitor = ErrorDriftMonitor(window=20, min_reference=20).fit(flat)

    same, worse = monitor.check(flat), monitor.check(lower)

    assert (same.t_statistic, same.p_value, same.significant) == (0.0, 1.0, False)
    assert (worse.p_value, worse.significant) == (0.0, True)


def test_the_report_describes_itself_and_is_frozen() -> None:
    report = ErrorDriftMonitor().fit(_scores(13, 0.05)).check(_scores(14, -0.05, start=252, n=63))

    assert "one-sided p = " in report.describe()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.p_value = 0.5  # type: ignore[misc]
    with pytest.raises(InvariantError, match="recent_mean must be a finite float, got nan"):
        dataclasses.replace(report, recent_mean=float("nan"))


def test_bad_scores_and_parameters_are_refused() -> None:
    with pytest.raises(DataFormatError, match="reference need at least 63 values, got 10"):
        ErrorDriftMonitor().fit(_scores(15, 0.0, n=10))
    with pytest.raises(DataFormatError, match="scores must be indexed by dates, got RangeIndex"):
        ErrorDriftMonitor().fit(_scores(16, 0.0)).check(pd.Series(np.zeros(70)))
    with pytest.raises(DataFormatError, match="reference index must be strictly increasing"):
        ErrorDriftMonitor().fit(_scores(17, 0.0).iloc[::-1])
    with pytest.raises(InvariantError, match="alpha must be a number strictly between 0 and 1"):
        ErrorDriftMonitor(alpha=1.0).fit(_scores(18, 0.0))
    with pytest.raises(InvariantError, match="higher_is_better must be True or False, got 1"):
        ErrorDriftMonitor(higher_is_better=1).fit(_scores(19, 0.0))  # type: ignore[arg-type]


def test_missing_scores_are_dropped() -> None:
    scores = _scores(20, 0.0)
    scores.iloc[::2] = np.nan

    report = ErrorDriftMonitor(min_reference=100).fit(scores).check(scores)

    assert report.n_reference == 126
    assert isinstance(report, ErrorDriftReport)


# -- rank_ic ---------------------------------------------------------------------------------


def _long(values: dict[str, list[float]]) -> pd.Series:
    index = pd.MultiIndex.from_tuples(
        [(pd.Timestamp(day), f"T{i}") for day, row in values.items() for i in range(len(row))],
        names=["date", "ticker"],
    )
    return pd.Series([v for row in values.values() for v in row], index=index)


def test_rank_ic_is_the_spearman_correlation_of_each_date() -> None:
    forecast = _long({"2020-01-02": [1, 2, 3, 4, 5], "2020-01-03": [1, 2, 3, 4, 5]})
    realised = _long({"2020-01-02": [0.1, 0.2, 0.3, 0.4, 0.9], "2020-01-03": [5, 4, 3, 2, 1]})

    ic = rank_ic(forecast, realised)

    assert ic.name == "ic"
    assert ic.tolist() == pytest.approx([1.0, -1.0])


def test_rank_ic_skips_dates_without_enough_tickers_or_spread() -> None:
    forecast = _long(
        {"2020-01-02": [1, 2, 3], "2020-01-03": [1, 1, 1, 1, 1], "2020-01-06": [1, 2, 3, 4, 5]}
    )
    realised = _long(
        {"2020-01-02": [1, 2, 3], "2020-01-03": [1, 2, 3, 4, 5], "2020-01-06": [2, 1, 4, 3, 5]}
    )

    ic = rank_ic(forecast, realised)

    assert list(ic.index) == [pd.Timestamp("2020-01-06")]
    assert ic.iloc[0] == pytest.approx(0.8)  # 1 - 6 * 4 / (5 * 24)


def test_rank_ic_wants_long_series() -> None:
    with pytest.raises(
        DataFormatError, match=r"forecast index must be a \(date, ticker\) MultiIndex"
    ):
        rank_ic(pd.Series([1.0]), pd.Series([1.0]))
