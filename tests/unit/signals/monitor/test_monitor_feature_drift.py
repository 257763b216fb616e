"""FeatureDriftMonitor on real features: the 2008-2009 crisis drifts from 2006-2007, the
reference does not drift from itself, and the report is frozen and checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.features import FeatureFrame
from microfolio.signals.monitor import (
    REPORT_COLUMNS,
    FeatureDrift,
    FeatureDriftMonitor,
    FeatureDriftReport,
    ks,
    psi,
)

Between = Callable[[str, str], FeatureFrame]


@pytest.fixture(scope="module")
def calm(between: Between) -> FeatureFrame:
    return between("2006-01-01", "2007-12-31")


@pytest.fixture(scope="module")
def crisis(between: Between) -> FeatureFrame:
    return between("2008-01-01", "2009-12-31")


@pytest.fixture(scope="module")
def crisis_report(calm: FeatureFrame, crisis: FeatureFrame) -> FeatureDriftReport:
    return FeatureDriftMonitor().fit(calm).check(crisis)


def test_the_crisis_drifts_in_levels_but_not_in_ranks(crisis_report: FeatureDriftReport) -> None:
    # measured: 15 of 22 features drift; ranks, 5-day returns and volume changes do not
    assert crisis_report.feature("vol_21").drifted
    assert crisis_report.feature("mkt_vol_63").drifted
    assert not crisis_report.feature("rank_vol_63").drifted
    assert not crisis_report.feature("volume_chg_21").drifted
    assert crisis_report.drifted_share > 0.5


def test_the_report_numbers_are_psi_and_ks_of_the_two_windows(
    crisis_report: FeatureDriftReport, calm: FeatureFrame, crisis: FeatureFrame
) -> None:
    reference = calm.frame["vol_21"].dropna().to_numpy()
    window = crisis.frame["vol_21"].dropna().to_numpy()
    drift = crisis_report.feature("vol_21")

    assert drift.psi == pytest.approx(psi(reference, window))
    assert drift.ks_statistic == pytest.approx(ks(reference, window).statistic)
    assert (drift.n_reference, drift.n_window) == (len(reference), len(window))


def test_the_report_records_both_spans(crisis_report: FeatureDriftReport) -> None:
    assert crisis_report.reference_start == dt.date(2006, 1, 3)
    assert crisis_report.reference_end == dt.date(2007, 12, 31)
    assert crisis_report.window_start == dt.date(2008, 1, 2)
    assert crisis_report.window_end == dt.date(2009, 12, 31)


def test_the_reference_does_not_drift_from_itself(calm: FeatureFrame) -> None:
    report = FeatureDriftMonitor().fit(calm).check(calm)

    assert report.drifted == ()
    assert report.drifted_share == 0.0
    assert all(f.psi == 0.0 and f.ks_statistic == 0.0 for f in report.features)


def test_a_later_quiet_year_drifts_less(between: Between) -> None:
    monitor = FeatureDriftMonitor(features=("vol_21", "rank_vol_63")).fit(
        between("2012-01-01", "2012-12-31")
    )
    report = monitor.check(between("2013-01-01", "2013-12-31"))

    # measured: vol_21 PSI 0.111, KS 0.099: a moderate move, under both thresholds
    assert report.drifted == ()
    assert 0.05 < report.feature("vol_21").psi < 0.25


def test_the_flag_follows_the_thresholds(calm: FeatureFrame, crisis: FeatureFrame) -> None:
    lenient = FeatureDriftMonitor(features=("vol_21",), psi_threshold=5.0, ks_threshold=1.0)
    strict = FeatureDriftMonitor(features=("volume_chg_21",), psi_threshold=0.01)

    assert lenient.fit(calm).check(crisis).drifted == ()
    assert strict.fit(calm).check(crisis).drifted == ("volume_chg_21",)


def test_the_report_as_a_frame(crisis_report: FeatureDriftReport) -> None:
    frame = crisis_report.to_frame()

    assert tuple(frame.columns) == REPORT_COLUMNS
    assert list(frame.index) == [f.feature for f in crisis_report.features]
    assert frame.loc["vol_21", "drifted"]


def test_the_report_is_frozen_and_checked(crisis_report: FeatureDriftReport) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        crisis_report.features = ()  # type: ignore[misc]
    with pytest.raises(InvariantError, match=r"psi must be a finite number >= 0, got -0\.1"):
        FeatureDrift("x", -0.1, 0.2, 0.5, 10, 10, False)
    with pytest.raises(InvariantError, match="features repeat a name"):
        FeatureDriftReport(
            dt.date(2006, 1, 3),
            dt.date(2007, 12, 31),
            dt.date(2008, 1, 2),
            dt.date(2008, 1, 2),
            (FeatureDrift("x", 0.1, 0.1, 0.5, 10, 10, False),) * 2,
        )
    with pytest.raises(NotFoundError, match="feature 'nope' is not in the drift report"):
        crisis_report.feature("nope")


def test_monitor_refuses_what_it_cannot_compare(calm: FeatureFrame, between: Between) -> None:
    monitor = FeatureDriftMonitor(features=("vol_21",)).fit(calm)
    frame = calm.frame
    only_ret = FeatureFrame(frame[["ret_5"]], calm.spec)
    sparse = FeatureFrame(frame.iloc[:20], calm.spec)

    with pytest.raises(NotFoundError, match="feature 'vol_21' is not in the window features"):
        monitor.check(only_ret)
    with pytest.raises(DataFormatError, match="feature 'vol_21' has 20 values in the window"):
        monitor.check(sparse)
    with pytest.raises(DataFormatError, match="window must be a FeatureFrame, got DataFrame"):
        monitor.check(frame)  # type: ignore[arg-type]
    with pytest.raises(NotFittedError):
        FeatureDriftMonitor().check(calm)


def test_a_feature_missing_from_the_reference_is_refused(calm: FeatureFrame) -> None:
    with pytest.raises(NotFoundError, match="feature 'nope' is not in the reference features"):
        FeatureDriftMonitor(features=("nope",)).fit(calm)


def test_missing_values_are_dropped_not_counted(calm: FeatureFrame) -> None:
    frame = calm.frame.copy()
    frame.loc[frame.index[:100], "vol_21"] = np.nan
    gappy = FeatureFrame(frame, calm.spec)

    report = FeatureDriftMonitor(features=("vol_21",)).fit(calm).check(gappy)

    assert report.feature("vol_21").n_window == calm.frame["vol_21"].notna().sum() - int(
        pd.Series(calm.frame["vol_21"].iloc[:100]).notna().sum()
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bins": 1}, "bins must be an integer >= 2, got 1"),
        ({"psi_threshold": -1.0}, "psi_threshold must be a finite number >= 0, got -1.0"),
        ({"ks_threshold": 0.0}, r"ks_threshold must be a number in \(0, 1\], got 0.0"),
        ({"features": ()}, "features must be None or a non-empty tuple of distinct names"),
        ({"min_observations": 1}, "min_observations must be an integer >= 2, got 1"),
    ],
)
def test_bad_parameters_are_refused(
    calm: FeatureFrame, params: dict[str, object], message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        FeatureDriftMonitor(**params).fit(calm)  # type: ignore[arg-type]
