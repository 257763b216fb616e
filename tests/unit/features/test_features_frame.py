"""FeatureFrame: a checked, frozen, sorted long frame of float64 features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, NotFoundError
from microfolio.features import FeatureFrame

DATES = pd.to_datetime(["2020-01-02", "2020-01-02", "2020-01-03", "2020-01-03", "2020-01-06"])
TICKERS = ["AAA", "BBB", "AAA", "BBB", "AAA"]


def _frame(**columns: object) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([DATES, TICKERS], names=["date", "ticker"])
    data = columns or {"ret_1": [0.01, 0.02, np.nan, -0.01, 0.03], "vol_2": [0.1] * 5}
    return pd.DataFrame(data, index=index)


def test_helpers_describe_the_frame() -> None:
    features = FeatureFrame(_frame(), spec='{"kind":"test"}')

    assert features.names == ("ret_1", "vol_2")
    assert features.dates.equals(
        pd.DatetimeIndex(pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06"]))
    )
    assert features.tickers.tolist() == ["AAA", "BBB"]
    assert len(features) == 5
    assert features.to_numpy().shape == (5, 2)


def test_at_gives_the_cross_section_of_a_date() -> None:
    features = FeatureFrame(_frame())

    section = features.at("2020-01-03")

    assert section.index.tolist() == ["AAA", "BBB"]
    assert section.loc["BBB", "ret_1"] == -0.01


def test_at_an_unknown_date_is_refused() -> None:
    with pytest.raises(NotFoundError, match="date 2020-01-04 has no rows in the features"):
        FeatureFrame(_frame()).at("2020-01-04")


def test_it_is_frozen() -> None:
    source = _frame()
    features = FeatureFrame(source)

    source.iloc[0, 0] = 99.0
    handed_out = features.frame
    handed_out.iloc[1, 0] = 99.0
    with pytest.raises(AttributeError):
        features._spec = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        features.to_numpy()[0, 0] = 99.0

    assert features.frame.iloc[0, 0] == 0.01
    assert features.frame.iloc[1, 0] == 0.02


def test_version_is_stable_and_follows_spec_and_names() -> None:
    one = FeatureFrame(_frame(), spec="a")

    assert one.version == FeatureFrame(_frame(), spec="a").version
    assert len(one.version) == 16
    assert one.version != FeatureFrame(_frame(), spec="b").version
    assert one.version != FeatureFrame(_frame().rename(columns={"vol_2": "vol_3"}), "a").version


def test_dropna_keeps_complete_rows() -> None:
    complete = FeatureFrame(_frame(), spec="a").dropna()

    assert len(complete) == 4
    assert complete.spec == "a"
    assert not np.isnan(complete.to_numpy()).any()


def test_from_wide_stacks_present_cells_in_date_ticker_order() -> None:
    index = pd.DatetimeIndex(pd.to_datetime(["2020-01-02", "2020-01-03"]), name="date")
    columns = pd.Index(["AAA", "BBB"], name="ticker")
    wide = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=index, columns=columns)
    rows = pd.DataFrame([[True, False], [True, True]], index=index, columns=columns)

    features = FeatureFrame.from_wide({"x": wide, "y": -wide}, rows)

    assert features.frame.index.tolist() == [
        (pd.Timestamp("2020-01-02"), "AAA"),
        (pd.Timestamp("2020-01-03"), "AAA"),
        (pd.Timestamp("2020-01-03"), "BBB"),
    ]
    assert features.frame["x"].tolist() == [1.0, 3.0, 4.0]
    assert features.frame["y"].tolist() == [-1.0, -3.0, -4.0]


def test_from_wide_refuses_frames_that_do_not_line_up() -> None:
    index = pd.DatetimeIndex(pd.to_datetime(["2020-01-02"]))
    wide = pd.DataFrame([[1.0]], index=index, columns=["AAA"])
    rows = pd.DataFrame([[True, True]], index=index, columns=["AAA", "BBB"])

    with pytest.raises(DataFormatError, match="feature 'x' must have the sessions and tickers"):
        FeatureFrame.from_wide({"x": wide}, rows)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: [1.0], "features must be a DataFrame, got list"),
        (lambda: _frame().reset_index(), "features index must be a (date, ticker) MultiIndex"),
        (lambda: _frame().iloc[::-1], "sorted by (date, ticker) without repeats"),
        (lambda: pd.concat([_frame(), _frame()]).sort_index(), "without repeats"),
        (lambda: _frame(n=[1, 2, 3, 4, 5]), "feature 'n' must be float64, got int64"),
        (lambda: _frame(x=[1.0, np.inf, 0.0, 0.0, 0.0]), "feature 'x' has infinite values"),
        (lambda: _frame()[[]], "features have no columns"),
        (lambda: _frame().rename(columns={"vol_2": "ret_1"}), "features repeat names: ret_1"),
    ],
)
def test_what_is_not_a_feature_frame_is_refused(make: object, message: str) -> None:
    with pytest.raises(DataFormatError) as caught:
        FeatureFrame(make())  # type: ignore[operator]

    assert message in str(caught.value)
