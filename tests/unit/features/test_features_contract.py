"""FeatureSet follows the scikit-learn contract and refuses bad parameters with one clear line."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from microfolio.errors import InvariantError, MicrofolioError, NotFoundError
from microfolio.features import FeatureFrame, FeatureSet, FeatureSpec, WideBars

NO_FEATURES = {
    "return_windows": (),
    "momentum": (),
    "reversal_windows": (),
    "vol_windows": (),
    "downside_windows": (),
    "drawdown_windows": (),
    "volume_windows": (),
    "ma_windows": (),
    "rank_features": (),
    "market_windows": (),
}


@pytest.fixture(scope="module")
def short(panel: WideBars) -> WideBars:
    """The first 300 sessions of the panel."""
    return WideBars(
        **{f.name: getattr(panel, f.name).iloc[:300] for f in dataclasses.fields(WideBars)}
    )


def test_parameters_survive_get_params_and_clone(panel_classes: dict[str, str]) -> None:
    features = FeatureSet(
        return_windows=(3, 10), rank_features=("ret_3",), market="SPY", asset_classes=panel_classes
    )

    copy = clone(features)

    assert copy.get_params() == features.get_params()
    assert copy.get_params()["asset_classes"] is not panel_classes


def test_fit_returns_self_and_learns_only_the_spec(short: WideBars) -> None:
    features = FeatureSet(return_windows=(3, 10), rank_features=("ret_10",))

    fitted = features.fit(short)

    assert fitted is features
    assert isinstance(features.spec_, FeatureSpec)
    assert list(features.get_feature_names_out()) == list(features.spec_.names)


def test_transform_before_fit_is_refused(short: WideBars) -> None:
    with pytest.raises(NotFittedError):
        FeatureSet().transform(short)


def test_transform_is_pure(short: WideBars) -> None:
    before = short.close.copy()
    features = FeatureSet().fit(short)

    first, second = features.transform(short), features.transform(short)

    pd.testing.assert_frame_equal(short.close, before, check_exact=True)
    assert first == second
    assert list(first.names) == list(features.get_feature_names_out())


def test_works_as_a_pipeline_step(short: WideBars) -> None:
    pipeline = Pipeline([("features", FeatureSet(return_windows=(5,), rank_features=()))])

    out = pipeline.fit_transform(short)

    assert isinstance(out, FeatureFrame)
    assert out == FeatureSet(return_windows=(5,), rank_features=()).fit_transform(short)


def test_the_spec_is_recorded_and_versioned(short: WideBars) -> None:
    one = FeatureSet().fit_transform(short)
    again = FeatureSet().fit_transform(short)
    other = FeatureSet(return_windows=(5, 21), rank_features=()).fit_transform(short)

    assert one.spec == FeatureSet().fit(short).spec_.to_json()
    assert one.version == again.version
    assert one.version != other.version


def test_list_parameters_are_normalised_to_tuples(short: WideBars) -> None:
    features = FeatureSet(return_windows=[5, 21], momentum=[[63, 5]], rank_features=["ret_5"]).fit(
        short
    )

    assert features.spec_.return_windows == (5, 21)
    assert features.spec_.momentum == ((63, 5),)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"return_windows": (0,)}, InvariantError, "return_windows must be an integer >= 1, got 0"),
        ({"return_windows": (2.5,)}, InvariantError, "return_windows must be an integer >= 1"),
        ({"return_windows": (True,)}, InvariantError, "return_windows must be an integer >= 1"),
        ({"return_windows": 21}, InvariantError, "return_windows must be a tuple of integers"),
        ({"return_windows": (21, 21)}, InvariantError, "return_windows repeats 21"),
        ({"vol_windows": (1,)}, InvariantError, "vol_windows must be an integer >= 2, got 1"),
        ({"ma_windows": (-50,)}, InvariantError, "ma_windows must be an integer >= 2, got -50"),
        ({"momentum": ((21, 21),)}, InvariantError, "momentum skip must be below its lookback"),
        ({"momentum": ((252,),)}, InvariantError, "momentum must hold (lookback, skip) pairs"),
        ({"rank_features": ("ret_22",)}, NotFoundError, "rank_features names 'ret_22'"),
        ({"return_windows": (5,)}, NotFoundError, "rank_features names 'ret_21'"),
        ({"market": ""}, InvariantError, "market must be a ticker or None"),
        ({"asset_classes": "equity"}, InvariantError, "asset_classes must map tickers"),
        ({"dropna": "yes"}, InvariantError, "dropna must be True or False"),
        (NO_FEATURES, InvariantError, "computes no features"),
    ],
)
def test_bad_parameters_are_refused_in_fit(
    short: WideBars, params: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        FeatureSet(**params).fit(short)

    assert isinstance(caught.value, MicrofolioError)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unknown_market_ticker_is_refused(short: WideBars) -> None:
    with pytest.raises(NotFoundError, match="market 'XYZ' is not a ticker of the bars"):
        FeatureSet(market="XYZ").fit(short)


def test_an_asset_class_map_with_an_unknown_ticker_is_refused(
    short: WideBars, panel_classes: dict[str, str]
) -> None:
    classes = {**panel_classes, "XYZ": "equity"}

    with pytest.raises(NotFoundError, match="names tickers that are not in the bars: XYZ"):
        FeatureSet(asset_classes=classes).fit(short)


def test_an_asset_class_map_missing_a_ticker_is_refused(
    short: WideBars, panel_classes: dict[str, str]
) -> None:
    classes = {t: c for t, c in panel_classes.items() if t != "VTI"}

    with pytest.raises(NotFoundError, match="has no class for tickers: VTI"):
        FeatureSet(asset_classes=classes).fit(short)


def test_class_features_must_be_features_of_the_set(
    short: WideBars, panel_classes: dict[str, str]
) -> None:
    with pytest.raises(NotFoundError, match="class_features names 'vol_5'"):
        FeatureSet(asset_classes=panel_classes, class_features=("vol_5",)).fit(short)


def test_transform_checks_the_tickers_of_new_bars(short: WideBars) -> None:
    features = FeatureSet(market="SPY").fit(short)
    without_spy = WideBars(
        **{f.name: getattr(short, f.name).drop(columns="SPY") for f in dataclasses.fields(WideBars)}
    )

    with pytest.raises(NotFoundError, match="market 'SPY'"):
        features.transform(without_spy)


def test_a_short_history_gives_nan_features_not_an_error(short: WideBars) -> None:
    head = WideBars(
        **{f.name: getattr(short, f.name).iloc[:3] for f in dataclasses.fields(WideBars)}
    )

    features = FeatureSet().fit_transform(head)

    assert np.isnan(features.frame["ret_21"]).all()
    assert len(features.dropna()) == 0
