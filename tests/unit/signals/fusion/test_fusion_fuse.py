"""ViewFusion: calibrated sources at a date into views with omega from their own errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fusion_testdata import HORIZON, SLOPE, Panel, panel, standard

from microfolio.errors import DataFormatError, InvariantError
from microfolio.optimize.black_litterman import View
from microfolio.signals.fusion import (
    FRAME_COLUMNS,
    Calibration,
    FusedViews,
    SignalSource,
    ViewFusion,
    ViewProvenance,
)
from microfolio.signals.regime import Regime

ANNUAL = 252 / HORIZON


def _good(data: Panel) -> Calibration:
    return data.calibrate(data.history(data.z, "good"))


def _today(data: Panel, seed: int = 3) -> pd.Series:
    return standard(np.random.default_rng(seed).standard_normal(len(data.tickers)), data.tickers)


def test_absolute_views_of_an_informative_source_are_close_to_the_truth() -> None:
    data = panel()
    calibration = _good(data)
    z = _today(data)
    truth = ANNUAL * SLOPE * z

    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, 5 * z - 2, calibration)], data.as_of
    )

    expected = pd.Series(
        [v.expected for v in fused.views], index=[p.ticker for p in fused.provenance]
    )
    assert len(fused) == len(data.tickers)
    assert fused.skipped == {}
    assert np.abs(expected - truth.reindex(expected.index)).max() < 0.05 * np.abs(truth).max()
    variances = calibration.variance(expected.index)
    assert fused.omega == pytest.approx(list(ANNUAL * variances))
    first = fused.provenance[0]
    assert first.source == "good"
    assert first.kind == "absolute"
    assert first.z == pytest.approx(z[first.ticker])
    assert first.slope == calibration.slope_
    assert first.residual_variance == variances[first.ticker]
    assert first.horizon == HORIZON
    assert fused.views[0].assets == {first.ticker: 1.0}
    assert fused.views[0].name == f"good: {first.ticker}"


def test_a_noisy_source_gets_views_with_wide_omega_and_small_expected_returns() -> None:
    data = panel()
    weak = data.calibrate(data.history(data.z + 4 * data.noise(), "weak"))
    z = _today(data)

    fused = ViewFusion(kind="absolute").fuse(
        [
            SignalSource("good", data.as_of, z, _good(data)),
            SignalSource("weak", data.as_of, z, weak),
        ],
        data.as_of,
    )

    frame = fused.to_frame()
    by_source = frame.groupby("source")
    assert weak.usable_
    assert by_source["omega"].min()["weak"] > 5 * by_source["omega"].max()["good"]
    spread = by_source["expected"].std()
    assert spread["weak"] < 0.3 * spread["good"]


def test_a_pure_noise_source_is_skipped_with_its_reason() -> None:
    data = panel()
    noise = data.calibrate(data.history(data.noise(), "noise"))
    z = _today(data)

    fused = ViewFusion(kind="absolute").fuse(
        [
            SignalSource("good", data.as_of, z, _good(data)),
            SignalSource("noise", data.as_of, z, noise),
        ],
        data.as_of,
    )

    assert fused.sources == ("good",)
    assert fused.skipped == {"noise": noise.reason_}
    assert len(fused) == len(data.tickers)


def test_relative_view_is_top_quintile_minus_bottom_quintile() -> None:
    data = panel()
    calibration = _good(data)
    z = _today(data)

    fused = ViewFusion(kind="relative").fuse(
        [SignalSource("good", data.as_of, z, calibration)], data.as_of
    )

    ranked = z.sort_values()
    (view,) = fused.views
    (origin,) = fused.provenance
    assert set(origin.long) == set(ranked.index[-4:])
    assert set(origin.short) == set(ranked.index[:4])
    assert view.is_relative
    gap = ranked.iloc[-4:].mean() - ranked.iloc[:4].mean()
    assert origin.z == pytest.approx(gap)
    assert view.expected == pytest.approx(ANNUAL * calibration.slope_ * gap)
    assert fused.omega[0] == pytest.approx(ANNUAL * calibration.spread_variance_)
    assert origin.ticker == ""


def test_centred_views_set_each_ticker_against_the_mean_with_its_specific_error() -> None:
    data = panel()
    calibration = _good(data)
    z = _today(data)

    fused = ViewFusion().fuse(  # centred is the default
        [SignalSource("good", data.as_of, z, calibration)], data.as_of, universe=data.tickers[:5]
    )

    first, origin = fused.views[0], fused.provenance[0]
    kept = z[data.tickers[:5]]
    assert len(fused) == 5
    assert origin.ticker == "T00"
    assert dict(first.assets) == pytest.approx(
        {"T00": 0.8, "T01": -0.2, "T02": -0.2, "T03": -0.2, "T04": -0.2}
    )
    assert origin.z == pytest.approx(kept["T00"] - kept.mean())
    assert first.expected == pytest.approx(ANNUAL * calibration.slope_ * origin.z)
    specific = calibration.variance(["T00"], specific=True)["T00"]
    assert fused.omega[0] == pytest.approx(ANNUAL * specific)
    assert specific < calibration.variance(["T00"])["T00"]
    assert "T00 beats the mean of 5 tickers" in fused.to_frame()["view"].iloc[0]


def test_stressed_regime_widens_every_omega_by_its_factor() -> None:
    data = panel()
    source = SignalSource("good", data.as_of, _today(data), _good(data))
    fusion = ViewFusion(kind="absolute", regime_scale={Regime.STRESSED: 4.0, "volatile": 2.0})

    calm = fusion.fuse([source], data.as_of, regime=Regime.CALM)
    stressed = fusion.fuse([source], data.as_of, regime="stressed")

    assert np.array(stressed.omega) == pytest.approx(4 * np.array(calm.omega))
    assert [v.expected for v in stressed.views] == [v.expected for v in calm.views]
    assert stressed.regime == "stressed"
    assert stressed.regime_factor == 4.0
    assert {p.regime_factor for p in stressed.provenance} == {4.0}
    assert calm.regime_factor == 1.0
    assert fusion.factor(None) == 1.0


def test_universe_limits_the_views_and_skips_a_source_outside_it() -> None:
    data = panel()
    source = SignalSource("good", data.as_of, _today(data), _good(data))
    whole = ViewFusion(kind="absolute").fuse([source], data.as_of)

    part = ViewFusion(kind="absolute").fuse([source], data.as_of, universe=["T01", "T05", "ZZZ"])
    none = ViewFusion(kind="absolute").fuse([source], data.as_of, universe=["ZZZ"])

    assert [p.ticker for p in part.provenance] == ["T01", "T05"]
    kept = {p.ticker: v.expected for p, v in zip(whole.provenance, whole.views, strict=True)}
    assert [v.expected for v in part.views] == [kept["T01"], kept["T05"]]
    assert len(none) == 0
    assert none.skipped == {"good": "none of its tickers is in the universe"}


def test_scores_that_do_not_differ_today_give_no_views() -> None:
    data = panel()
    flat = pd.Series(1.0, index=data.tickers)

    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, flat, _good(data))], data.as_of
    )

    assert len(fused) == 0
    assert "do not differ across tickers" in fused.skipped["good"]


def test_to_frame_has_one_row_per_view_with_the_documented_columns() -> None:
    data = panel()
    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, _today(data), _good(data))], data.as_of
    )

    frame = fused.to_frame()

    assert tuple(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(fused)
    assert frame["expected"].tolist() == [v.expected for v in fused.views]
    assert frame["view"].iloc[0].startswith("good: ")


def test_bad_fusion_inputs_are_refused() -> None:
    data = panel()
    calibration = _good(data)
    source = SignalSource("good", data.as_of, _today(data), calibration)

    with pytest.raises(InvariantError, match="sources must hold at least one"):
        ViewFusion(kind="absolute").fuse([], data.as_of)
    with pytest.raises(InvariantError, match="sources must be a sequence"):
        ViewFusion(kind="absolute").fuse(source, data.as_of)  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match="appears twice"):
        ViewFusion(kind="absolute").fuse([source, source], data.as_of)
    with pytest.raises(InvariantError, match="scores are of"):
        ViewFusion(kind="absolute").fuse([source], data.sessions[-1])
    with pytest.raises(InvariantError, match="kind must be one of absolute, centred, relative"):
        ViewFusion(kind="both")  # type: ignore[arg-type]
    with pytest.raises(InvariantError, match=r"regime_scale\[stressed\] must be a positive"):
        ViewFusion(kind="absolute", regime_scale={Regime.STRESSED: 0.0})
    with pytest.raises(InvariantError, match="regime_scale key must be one of"):
        ViewFusion(kind="absolute", regime_scale={"panic": 2.0})  # type: ignore[dict-item]
    with pytest.raises(InvariantError, match="regime must be one of"):
        ViewFusion(kind="absolute", regime_scale={}).fuse([source], data.as_of, regime="panic")


def test_bad_sources_are_refused() -> None:
    data = panel()
    calibration = _good(data)
    z = _today(data)

    with pytest.raises(InvariantError, match="is after the scores' date"):
        SignalSource("good", data.dates[-2], z, calibration)
    with pytest.raises(InvariantError, match="calibration must be a fitted Calibration"):
        SignalSource("good", data.as_of, z, Calibration())
    with pytest.raises(DataFormatError, match="scores must be finite"):
        SignalSource("good", data.as_of, z.where(z > 0), calibration)
    with pytest.raises(DataFormatError, match="scores repeat tickers"):
        SignalSource("good", data.as_of, pd.concat([z, z]), calibration)
    with pytest.raises(InvariantError, match="source name must be a non-empty string"):
        SignalSource("", data.as_of, z, calibration)


def test_source_from_a_long_forecast_takes_the_date_cross_section() -> None:
    data = panel()
    calibration = _good(data)
    long = pd.Series(data.z, index=data.index)

    source = SignalSource.from_forecast(long, data.as_of, calibration)

    assert source.name == "good"
    assert source.scores.equals(
        long.xs(data.as_of, level="date").rename("score").rename_axis("ticker")
    )


def test_fused_views_check_their_invariants() -> None:
    view = View.absolute("A", 0.05)
    origin = ViewProvenance(
        "s", "absolute", "A", ("A",), (), 1.0, 0.02, 0.0, 1e-4, 21, 1.0, 0.1, 3.0
    )
    stamp = pd.Timestamp("2021-01-04")

    with pytest.raises(InvariantError, match="one entry per view"):
        FusedViews(stamp, (view,), (), (origin,))
    with pytest.raises(InvariantError, match="omega of view 1 must be positive"):
        FusedViews(stamp, (view,), (0.0,), (origin,))
    with pytest.raises(InvariantError, match="omega of view 1 must be positive"):
        FusedViews(stamp, (view,), (math.inf,), (origin,))
    fused = FusedViews(stamp, [view], [1e-3], [origin], {"x": "why"})
    assert fused.views == (view,)
    with pytest.raises(TypeError):
        fused.skipped["y"] = "no"  # type: ignore[index]
