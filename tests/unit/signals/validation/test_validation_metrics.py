"""The information coefficient and the hit rate, on forecasts whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.forecast import ForecastScores
from microfolio.signals.validation import hit_rate, information_coefficient, mean_ic
from microfolio.signals.validation.metrics import spearman_by_date


def _panel(n_dates: int = 40, n_tickers: int = 12, seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-01", periods=n_dates)
    index = pd.MultiIndex.from_product(
        [dates, [f"T{i:02d}" for i in range(n_tickers)]], names=["date", "ticker"]
    )
    return pd.Series(rng.standard_normal(len(index)), index=index, name="realised")


def test_a_perfect_forecast_has_ic_one_and_a_reversed_one_minus_one() -> None:
    realised = _panel()

    perfect = information_coefficient(realised * 3.0 + 1.0, realised)
    reversed_ = information_coefficient(-realised, realised)

    assert perfect.mean == pytest.approx(1.0)
    assert reversed_.mean == pytest.approx(-1.0)
    assert perfect.n_dates == 40
    assert perfect.t_stat > 1e6 or math.isinf(perfect.t_stat)


def test_ic_is_rank_based_so_monotone_transforms_do_not_change_it() -> None:
    realised = _panel()
    scores = realised + _panel(seed=9)

    plain = information_coefficient(scores, realised)
    squashed = information_coefficient(np.tanh(scores), realised)

    assert plain.mean == pytest.approx(squashed.mean)
    assert 0.2 < plain.mean < 0.95


def test_ic_t_stat_is_mean_over_std_times_root_n() -> None:
    realised = _panel()
    scores = realised + 2.0 * _panel(seed=5)

    ic = information_coefficient(scores, realised)

    per_date = ic.per_date
    assert len(per_date) == ic.n_dates == 40
    assert ic.mean == pytest.approx(per_date.mean())
    assert ic.std == pytest.approx(per_date.std(ddof=1))
    assert ic.t_stat == pytest.approx(ic.mean / ic.std * math.sqrt(40))
    # one date's IC is the Spearman correlation of its cross-section
    day = per_date.index[4]
    expected = scores.xs(day).rank().corr(realised.xs(day).rank())
    assert per_date[day] == pytest.approx(expected)


def test_every_evaluates_only_non_overlapping_dates() -> None:
    realised = _panel(n_dates=42)

    ic = information_coefficient(realised, realised, every=21)

    assert ic.n_dates == 2
    assert list(ic.per_date.index) == list(realised.index.unique(level="date")[[0, 21]])


def test_a_forecast_without_a_view_has_ic_zero() -> None:
    realised = _panel()

    ic = information_coefficient(realised * 0.0, realised)

    assert ic.mean == 0.0
    assert ic.t_stat == 0.0


def test_ic_accepts_forecast_scores_and_aligns_on_shared_rows() -> None:
    realised = _panel()
    confidence = pd.Series(0.5, index=realised.index.unique(level="date"))
    forecast = ForecastScores(realised.rename("score"), confidence, "oracle")

    ic = information_coefficient(forecast, realised.iloc[: 12 * 10])

    assert ic.n_dates == 10
    assert mean_ic(forecast, realised) == pytest.approx(1.0)


def test_dates_with_too_few_names_are_skipped_and_nothing_left_is_nan() -> None:
    realised = _panel(n_tickers=4)

    assert information_coefficient(realised, realised, min_names=4).n_dates == 40
    empty = information_coefficient(realised, realised, min_names=5)
    assert empty.n_dates == 0
    assert math.isnan(empty.mean)


def test_metrics_refuse_what_is_not_a_long_series() -> None:
    realised = _panel()

    with pytest.raises(DataFormatError, match=r"scores index must be a \(date, ticker\)"):
        information_coefficient(realised.reset_index(drop=True), realised)
    with pytest.raises(DataFormatError, match="realised must be a pandas Series"):
        hit_rate(realised, realised.to_frame())  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match="every must be an integer >= 1, got 0"):
        information_coefficient(realised, realised, every=0)
    with pytest.raises(InvariantError, match="method must be one of half, sign"):
        hit_rate(realised, realised, method="top")  # type: ignore[arg-type]


def test_hit_rate_of_perfect_reversed_and_viewless_forecasts() -> None:
    realised = _panel()

    assert hit_rate(realised, realised) == 1.0
    assert hit_rate(-realised, realised) == 0.0
    assert hit_rate(realised, realised, method="sign") == 1.0
    assert math.isnan(hit_rate(realised * 0.0, realised))


def test_hit_rate_half_counts_calls_against_the_medians() -> None:
    day = pd.Timestamp("2021-01-04")
    index = pd.MultiIndex.from_product([[day], ["A", "B", "C", "D"]], names=["date", "ticker"])
    scores = pd.Series([4.0, 3.0, 2.0, 1.0], index=index)  # A, B called up; C, D down
    realised = pd.Series([0.1, -0.3, 0.2, -0.4], index=index)  # median -0.1: A, C up

    assert hit_rate(scores, realised) == 0.5  # A and D right, B and C wrong
    assert hit_rate(scores, realised, method="sign") == 0.5  # all positive: A, C right


def test_spearman_by_date_equals_scipy_on_a_ragged_panel_with_ties() -> None:
    # Arrange: 30 dates, up to 15 tickers, a third of the rows missing, rounded values (ties)
    rng = np.random.default_rng(8)
    full = _panel(n_dates=30, n_tickers=15, seed=8)
    kept = full[rng.random(len(full)) > 0.33]
    both = pd.DataFrame(
        {"score": (kept + rng.normal(0, 1, len(kept))).round(0), "realised": kept.round(1)}
    )
    # Act
    ic, ranked = spearman_by_date(both)
    # Assert
    for day, rows in both.groupby(level="date"):
        expected = spearmanr(rows["score"], rows["realised"]).statistic
        assert ic[day] == pytest.approx(expected, abs=1e-12)
    assert ranked.all()
    assert list(ic.index) == sorted(set(both.index.get_level_values("date")))


def test_spearman_by_date_refuses_a_ticker_twice_on_a_date() -> None:
    both = pd.DataFrame({"score": _panel(3, 4), "realised": _panel(3, 4, seed=5)})
    doubled = pd.concat([both, both.iloc[:1]])
    with pytest.raises(DataFormatError, match="repeat a \\(date, ticker\\)"):
        spearman_by_date(doubled)
