"""Feature values on the bundled ETFs agree with hand computations on chosen cells."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from microfolio.data import MarketData, load_universe
from microfolio.features import SESSIONS_PER_YEAR, Bars, FeatureFrame, FeatureSet, WideBars

DAY = pd.Timestamp("2008-06-30")
ANNUAL = math.sqrt(SESSIONS_PER_YEAR)


@pytest.fixture(scope="module")
def features(panel: WideBars, panel_classes: dict[str, str]) -> FeatureFrame:
    return FeatureSet(asset_classes=panel_classes).fit_transform(panel)


def _cell(features: FeatureFrame, name: str, ticker: str = "VTI", day: pd.Timestamp = DAY) -> float:
    return float(features.frame.loc[(day, ticker), name])


def _closes(panel: WideBars, ticker: str = "VTI") -> tuple[np.ndarray, int]:
    close = panel.close[ticker]
    return close.to_numpy(), int(close.index.get_loc(DAY))


@pytest.mark.parametrize("window", [5, 21, 63, 126, 252])
def test_trailing_return_of_vti_is_the_close_ratio(
    features: FeatureFrame, panel: WideBars, window: int
) -> None:
    c, i = _closes(panel)

    assert _cell(features, f"ret_{window}") == pytest.approx(c[i] / c[i - window] - 1, rel=1e-12)


def test_momentum_is_the_year_return_without_the_last_month(
    features: FeatureFrame, panel: WideBars
) -> None:
    c, i = _closes(panel)
    bumped_close = panel.close.copy()
    bumped_close.iloc[i - 20 : i + 1, bumped_close.columns.get_loc("VTI")] *= 1.5
    bumped = FeatureSet().fit_transform(dataclasses.replace(panel, close=bumped_close))

    assert _cell(features, "mom_252_21") == pytest.approx(c[i - 21] / c[i - 252] - 1, rel=1e-12)
    assert _cell(bumped, "mom_252_21") == _cell(features, "mom_252_21")
    assert _cell(bumped, "ret_252") != _cell(features, "ret_252")


def test_short_term_reversal_is_minus_the_five_day_return(features: FeatureFrame) -> None:
    frame = features.frame

    np.testing.assert_array_equal(frame["rev_5"].to_numpy(), -frame["ret_5"].to_numpy())


@pytest.mark.parametrize("window", [21, 63])
def test_realised_volatility_is_the_annualised_std_of_daily_returns(
    features: FeatureFrame, panel: WideBars, window: int
) -> None:
    c, i = _closes(panel)
    daily = c[i - window + 1 : i + 1] / c[i - window : i] - 1

    expected = np.std(daily, ddof=1) * ANNUAL
    assert _cell(features, f"vol_{window}") == pytest.approx(expected, rel=1e-9)


def test_downside_volatility_counts_only_losses(features: FeatureFrame, panel: WideBars) -> None:
    c, i = _closes(panel)
    daily = c[i - 62 : i + 1] / c[i - 63 : i] - 1

    expected = math.sqrt(np.mean(np.minimum(daily, 0.0) ** 2) * SESSIONS_PER_YEAR)
    assert _cell(features, "downvol_63") == pytest.approx(expected, rel=1e-9)
    assert _cell(features, "downvol_63") < _cell(features, "vol_63") * 1.5


def test_drawdown_is_the_distance_from_the_252_session_high(
    features: FeatureFrame, panel: WideBars
) -> None:
    c, i = _closes(panel)

    assert _cell(features, "drawdown_252") == pytest.approx(
        c[i] / c[i - 251 : i + 1].max() - 1, rel=1e-12
    )
    assert (features.frame["drawdown_252"].dropna() <= 0.0).all()


def test_volume_changes_are_log_ratios_of_21_session_averages(
    features: FeatureFrame, panel: WideBars
) -> None:
    c, i = _closes(panel)
    v = panel.volume["VTI"].to_numpy()
    dollars = c * v

    expected = math.log(v[i - 20 : i + 1].mean() / v[i - 41 : i - 20].mean())
    expected_dollars = math.log(dollars[i - 20 : i + 1].mean() / dollars[i - 41 : i - 20].mean())
    assert _cell(features, "volume_chg_21") == pytest.approx(expected, rel=1e-9)
    assert _cell(features, "dollar_volume_chg_21") == pytest.approx(expected_dollars, rel=1e-9)


@pytest.mark.parametrize("window", [50, 200])
def test_moving_average_gap_is_close_over_its_sma(
    features: FeatureFrame, panel: WideBars, window: int
) -> None:
    c, i = _closes(panel)

    expected = c[i] / c[i - window + 1 : i + 1].mean() - 1
    assert _cell(features, f"ma_gap_{window}") == pytest.approx(expected, rel=1e-9)


def test_ranks_are_percentiles_in_the_unit_interval(features: FeatureFrame) -> None:
    frame = features.frame
    ranks = frame[["rank_ret_21", "rank_mom_252_21", "rank_vol_63"]]
    section = features.at(DAY)

    assert ((ranks.dropna() >= 0.0) & (ranks.dropna() <= 1.0)).all().all()
    assert section["rank_ret_21"].min() == 0.0
    assert section["rank_ret_21"].max() == 1.0
    order = section["ret_21"].sort_values().index
    assert section["rank_ret_21"].loc[order].is_monotonic_increasing
    n = int(section["ret_21"].notna().sum())
    expected = (section["ret_21"].rank() - 1) / (n - 1)
    np.testing.assert_allclose(section["rank_ret_21"], expected, rtol=0, atol=1e-15)


def test_market_context_defaults_to_the_equal_weight_universe(
    features: FeatureFrame, panel: WideBars
) -> None:
    close = panel.close.to_numpy()
    i = int(panel.close.index.get_loc(DAY))
    daily = close[1:] / close[:-1] - 1  # row k is the return of session k + 1
    equal_weight = np.nanmean(daily[i - 21 : i], axis=1)  # sessions i-20 .. i
    section = features.at(DAY)

    assert section["mkt_ret_21"].nunique() == 1
    assert section["mkt_ret_21"].iloc[0] == pytest.approx(np.prod(1 + equal_weight) - 1, rel=1e-9)
    assert section["mkt_vol_21"].iloc[0] == pytest.approx(
        np.std(equal_weight, ddof=1) * ANNUAL, rel=1e-9
    )


def test_market_context_can_follow_one_ticker(panel: WideBars) -> None:
    features = FeatureSet(market="SPY").fit_transform(panel)
    section = features.at(DAY)

    assert (section["mkt_ret_21"] == section.loc["SPY", "ret_21"]).all()
    np.testing.assert_allclose(section["mkt_vol_63"], section.loc["SPY", "vol_63"], rtol=1e-12)


def test_asset_class_context_is_the_mean_over_the_class(features: FeatureFrame) -> None:
    section = features.at(DAY)

    large_cap = section.loc[["IVV", "SPY"], "ret_21"].mean()
    gold = section.loc[["GLD", "IAU"], "ret_21"].mean()
    assert section.loc["IVV", "class_ret_21"] == pytest.approx(large_cap, rel=1e-12)
    assert section.loc["SPY", "class_ret_21"] == pytest.approx(large_cap, rel=1e-12)
    assert section.loc["IAU", "class_ret_21"] == pytest.approx(gold, rel=1e-12)
    assert section.loc["TLT", "class_ret_21"] == section.loc["TLT", "ret_21"]


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("ret_252", 252),
        ("mom_252_21", 252),
        ("vol_21", 21),
        ("drawdown_252", 251),
        ("volume_chg_21", 41),
        ("ma_gap_200", 199),
        ("mkt_ret_21", 21),
        ("mkt_vol_21", 21),
    ],
)
def test_a_feature_is_nan_until_its_window_is_full(
    features: FeatureFrame, panel: WideBars, name: str, first: int
) -> None:
    series = features.frame[name].xs("VTI", level="ticker")

    assert series.first_valid_index() == panel.sessions[first]
    assert series.iloc[:first].isna().all()


def test_rows_are_the_sessions_where_a_ticker_has_a_bar(
    features: FeatureFrame, panel: WideBars
) -> None:
    dbc = features.frame.xs("DBC", level="ticker")

    assert len(features) == int(panel.close.notna().sum().sum())
    assert dbc.index[0] == panel.close["DBC"].first_valid_index()
    assert features.tickers.tolist() == sorted(panel.tickers)


def test_dropna_keeps_only_complete_rows(panel: WideBars, features: FeatureFrame) -> None:
    complete = FeatureSet(dropna=True).fit_transform(panel)
    expected = FeatureSet().fit_transform(panel).dropna()

    assert len(complete) > 0
    assert not np.isnan(complete.to_numpy()).any()
    pd.testing.assert_frame_equal(complete.frame, expected.frame, check_exact=True)
    assert complete.version != expected.version  # the spec records dropna


def test_a_market_view_is_bars_and_gives_the_same_features(market: MarketData) -> None:
    view = market.view("2006-06-30")
    wide = WideBars(
        open=view.open, high=view.high, low=view.low, close=view.close, volume=view.volume
    )

    assert isinstance(view, Bars)
    assert FeatureSet().fit_transform(view) == FeatureSet().fit_transform(wide)


def test_the_full_bundled_set_builds_every_family(market: MarketData) -> None:
    classes = {a.ticker: a.asset_class for a in load_universe()}
    view = market.view("2017-11-10")

    features = FeatureSet(asset_classes=classes).fit_transform(view)

    assert len(features) == int(view.close.notna().sum().sum())
    assert len(features.names) == 23
    assert features.tickers.tolist() == list(view.tickers)
    ranks = features.frame.filter(like="rank_").dropna()
    assert ranks.min().min() == 0.0
    assert ranks.max().max() == 1.0
