"""HmmRegime on the bundled ETFs: states named by variance, filtered probabilities only, the
crises stressed or volatile, 2013-2014 mostly calm, and no look-ahead in the walk-forward."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hmmlearn.hmm import GaussianHMM  # type: ignore[import-untyped]
from sklearn.exceptions import NotFittedError

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.regime import REGIMES, HmmRegime, Regime, RegimeDetector


def shares(labels: pd.Series, start: str, end: str) -> dict[str, float]:
    """The share of each regime among the labels of ``start..end`` (absent regimes: 0)."""
    window = labels.loc[start:end]
    return {str(r): float((window == r).mean()) for r in REGIMES}


# -- real periods (3 states on VTI returns, refit every 63 sessions) -------------------------


def test_october_2008_is_never_calm(hmm_labels: pd.Series) -> None:
    # measured: 43 % stressed, 57 % volatile (the model refitted in late August had not yet
    # seen a crash, so its top two states were close)
    october = shares(hmm_labels, "2008-10-01", "2008-10-31")

    assert october["calm"] == 0.0
    assert october["stressed"] >= 0.4


def test_august_2011_is_mostly_stressed(hmm_labels: pd.Series) -> None:
    # measured: 87 % stressed, 13 % volatile
    august = shares(hmm_labels, "2011-08-01", "2011-08-31")

    assert august["calm"] == 0.0
    assert august["stressed"] >= 0.8


def test_2013_and_2014_are_mostly_calm(hmm_labels: pd.Series) -> None:
    # measured: 73 % calm, 27 % volatile, no stress
    quiet = shares(hmm_labels, "2013-01-01", "2014-12-31")

    assert quiet["calm"] >= 0.7
    assert quiet["stressed"] <= 0.01


def test_two_states_split_calm_from_stressed(vti: pd.Series) -> None:
    labels = HmmRegime(n_states=2).regimes(vti, refit_every=126)

    # measured: Oct 2008 all stressed, Aug 2011 96 % stressed, 2013-14 98 % calm
    assert set(labels.unique()) == {Regime.CALM, Regime.STRESSED}
    assert shares(labels, "2008-10-01", "2008-10-31")["stressed"] == 1.0
    assert shares(labels, "2011-08-01", "2011-08-31")["stressed"] >= 0.9
    assert shares(labels, "2013-01-01", "2014-12-31")["calm"] >= 0.95


def test_labels_start_after_min_train_rows(hmm_labels: pd.Series, vti: pd.Series) -> None:
    assert hmm_labels.name == "regime"
    assert hmm_labels.index.equals(vti.index[HmmRegime().min_train - 1 :])
    assert all(isinstance(label, Regime) for label in hmm_labels)


# -- states and probabilities ----------------------------------------------------------------


def test_states_are_sorted_by_fitted_variance(vti: pd.Series) -> None:
    model = HmmRegime().fit(vti.loc[:"2012-12-31"])
    variances = model.covars_[:, 0, 0]

    assert np.all(np.diff(variances) > 0)
    assert model.regimes_ == (Regime.CALM, Regime.VOLATILE, Regime.STRESSED)
    assert np.allclose(model.transmat_.sum(axis=1), 1.0)


@pytest.fixture(scope="module")
def three_blocks() -> tuple[pd.Series, np.ndarray]:
    """Seeded returns from three known regimes (daily sd 0.5 %, 1.5 %, 4 %) in blocks of 250
    sessions, and the true regime code (0 calm, 1 volatile, 2 stressed) of each."""
    rng = np.random.default_rng(7)
    truth = np.repeat([0, 1, 2, 0, 1, 0], 250)
    sd = np.array([0.005, 0.015, 0.04])[truth]
    dates = pd.bdate_range("2001-01-01", periods=len(truth))
    return pd.Series(rng.normal(0.0, sd), index=dates), truth


def test_labels_do_not_depend_on_the_order_em_found_the_states(
    three_blocks: tuple[pd.Series, np.ndarray],
) -> None:
    returns, truth = three_blocks
    seeds = (0, 2, 5, 6)  # EM lands on the same states, listed in different orders
    raw_orders = {tuple(np.argsort(_raw_variances(returns, seed)).tolist()) for seed in seeds}

    labels = [HmmRegime(random_state=s, n_iter=200).fit(returns).predict(returns) for s in seeds]

    assert len(raw_orders) > 1
    for other in labels[1:]:
        pd.testing.assert_series_equal(other, labels[0])
    codes = np.array([label.severity for label in labels[0]])
    assert (codes == truth).mean() >= 0.95


def _raw_variances(returns: pd.Series, seed: int) -> np.ndarray:
    """The state variances in the order hmmlearn's own EM run lists them."""
    model = GaussianHMM(3, covariance_type="full", n_iter=200, tol=1e-3, random_state=seed)
    return np.asarray(model.fit(returns.to_numpy()[:, None] * 100.0).covars_[:, 0, 0])


def test_filtered_probabilities_read_only_the_past(short_vti: pd.Series) -> None:
    model = HmmRegime().fit(short_vti.loc[:"2008-06-30"])
    cut = "2008-12-31"

    whole = model.predict_proba(short_vti)
    prefix = model.predict_proba(short_vti.loc[:cut])

    pd.testing.assert_frame_equal(whole.loc[:cut], prefix)


def test_filtered_probabilities_are_not_the_smoothed_ones(short_vti: pd.Series) -> None:
    model = HmmRegime().fit(short_vti)
    filtered = model.predict_proba(short_vti).to_numpy()
    # the smoothed posterior with the same parameters and the same start: it reads the whole
    # sample, so it agrees with the filter only on the last row (where both read everything)
    smoother = GaussianHMM(3, covariance_type="full", init_params="")
    smoother.startprob_ = _stationary(model.transmat_)
    smoother.transmat_ = model.transmat_
    smoother.means_ = model.means_
    smoother.covars_ = model.covars_
    smoothed = smoother.predict_proba(short_vti.to_numpy()[:, None] * 100.0)

    np.testing.assert_allclose(filtered[-1], smoothed[-1], atol=1e-9)
    assert np.abs(filtered[:-1] - smoothed[:-1]).max() > 0.5


def _stationary(transmat: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eig(transmat.T)
    vector = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return vector / vector.sum()


def test_probabilities_sum_to_one_with_a_column_per_regime(vti: pd.Series) -> None:
    three = HmmRegime().regime_probabilities(vti.loc[:"2009-12-31"], refit_every=126)
    two = HmmRegime(n_states=2).fit(vti.loc[:"2009-12-31"]).predict_proba(vti)

    for frame in (three, two):
        assert list(frame.columns) == [str(r) for r in REGIMES]
        assert np.allclose(frame.sum(axis=1), 1.0)
        assert ((frame >= 0.0) & (frame <= 1.0)).all().all()
    assert (two["volatile"] == 0.0).all()


def test_log_volatility_can_join_the_returns(short_vti: pd.Series) -> None:
    model = HmmRegime(features=("return", "log_vol"), vol_window=21).fit(short_vti)
    proba = model.predict_proba(short_vti)

    assert model.means_.shape == (3, 2)
    assert proba.index[0] == short_vti.index[20]  # the first full 21-session window
    assert (model.predict(short_vti).loc["2008-10-01":"2008-10-31"] != Regime.CALM).all()


# -- point in time and determinism -----------------------------------------------------------


def test_a_changed_future_leaves_past_labels_alone(short_vti: pd.Series) -> None:
    cut = pd.Timestamp("2009-06-30")
    changed = short_vti.copy()
    after = changed.index > cut
    changed.loc[after] = -3.0 * changed.loc[after] + 0.002  # a wilder, different future

    before_labels = HmmRegime().regime_probabilities(short_vti, refit_every=126)
    after_labels = HmmRegime().regime_probabilities(changed, refit_every=126)

    pd.testing.assert_frame_equal(before_labels.loc[:cut], after_labels.loc[:cut])
    assert not np.allclose(before_labels.loc[cut:].iloc[1:], after_labels.loc[cut:].iloc[1:])


def test_a_changed_future_leaves_a_cold_walk_forward_alone_too(short_vti: pd.Series) -> None:
    cut = pd.Timestamp("2008-12-31")
    changed = short_vti.copy()
    changed.loc[changed.index > cut] = 0.0005

    model = HmmRegime(warm_start=False, n_iter=20)
    before = model.regimes(short_vti.loc[:"2009-06-30"], refit_every=126)
    after = model.regimes(changed.loc[:"2009-06-30"], refit_every=126)

    pd.testing.assert_series_equal(before.loc[:cut], after.loc[:cut])


def test_the_walk_forward_is_deterministic(short_vti: pd.Series) -> None:
    first = HmmRegime().regime_probabilities(short_vti.loc[:"2009-06-30"], refit_every=126)
    second = HmmRegime().regime_probabilities(short_vti.loc[:"2009-06-30"], refit_every=126)

    pd.testing.assert_frame_equal(first, second)


def test_the_walk_forward_leaves_the_detector_unfitted(short_vti: pd.Series) -> None:
    model = HmmRegime()
    model.regimes(short_vti, refit_every=126)

    with pytest.raises(NotFittedError):
        model.predict_proba(short_vti)


def test_an_hmm_regime_is_a_regime_detector() -> None:
    detector: RegimeDetector = HmmRegime()

    assert callable(detector.regimes)


# -- bad input -------------------------------------------------------------------------------


def test_too_few_returns_are_refused(short_vti: pd.Series) -> None:
    with pytest.raises(DataFormatError, match="returns need at least 504 observations, got 503"):
        HmmRegime().fit(short_vti.iloc[:503])
    with pytest.raises(DataFormatError, match="returns need at least 524 observations"):
        HmmRegime(features=("return", "log_vol")).regimes(short_vti.iloc[:520])


def test_missing_returns_are_refused(short_vti: pd.Series) -> None:
    gappy = short_vti.copy()
    gappy.iloc[600] = np.nan

    with pytest.raises(DataFormatError, match=r"1 missing or infinite values \(first at 2007-"):
        HmmRegime().regimes(gappy)
    model = HmmRegime().fit(short_vti)
    with pytest.raises(DataFormatError, match="missing or infinite"):
        model.predict_proba(gappy)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_states": 4}, "n_states must be 2 or 3, got 4"),
        ({"features": ("log_vol", "return")}, "features must be a non-empty ordered subset"),
        ({"features": ()}, "features must be a non-empty ordered subset"),
        ({"covariance_type": "tied"}, "covariance_type must be one of full, diag; got 'tied'"),
        ({"n_iter": 0}, "n_iter must be an integer >= 1, got 0"),
        ({"tol": -1.0}, "tol must be a positive number, got -1.0"),
        ({"min_train": 10}, "min_train must be an integer >= 30, got 10"),
        ({"warm_start": 1}, "warm_start must be True or False, got 1"),
    ],
)
def test_bad_parameters_are_refused(
    short_vti: pd.Series, params: dict[str, object], message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        HmmRegime(**params).fit(short_vti)  # type: ignore[arg-type]


def test_a_refit_interval_below_one_is_refused(short_vti: pd.Series) -> None:
    with pytest.raises(InvariantError, match="refit_every must be an integer >= 1, got 0"):
        HmmRegime().regimes(short_vti, refit_every=0)


def test_importing_the_package_does_not_load_hmmlearn() -> None:
    code = "import sys, microfolio.signals.regime; print('hmmlearn' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"
