"""Rescaling a covariance to forecast volatilities keeps its correlations and its definiteness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import MarketView
from microfolio.errors import DataFormatError, NotFoundError
from microfolio.estimate import SampleCovariance, returns_from_prices
from microfolio.signals.volatility import EWMAVol, vol_rescale

TICKERS = ["VTI", "AGG", "EFA", "GLD"]


@pytest.fixture(scope="module")
def covariance(vol_view: MarketView) -> pd.DataFrame:
    prices = vol_view.close[TICKERS].loc["2010":]
    return SampleCovariance().fit(returns_from_prices(prices, "log")).covariance_


def correlation(cov: pd.DataFrame) -> np.ndarray:
    sd = np.sqrt(np.diag(cov.to_numpy()))
    return cov.to_numpy() / np.outer(sd, sd)


def test_rescaled_covariance_has_the_forecast_vols_and_the_same_correlations(
    covariance: pd.DataFrame, vol_view: MarketView
) -> None:
    returns = np.log(vol_view.close[TICKERS]).diff().iloc[1:]
    vols = pd.Series({t: EWMAVol().fit(returns[t].dropna()).predict(21) for t in TICKERS})
    before = covariance.copy()

    rescaled = vol_rescale(covariance, vols.iloc[::-1])  # matched by label, not position

    np.testing.assert_allclose(np.sqrt(np.diag(rescaled)), vols[TICKERS], rtol=1e-12)
    np.testing.assert_allclose(correlation(rescaled), correlation(covariance), atol=1e-12)
    assert np.linalg.eigvalsh(rescaled.to_numpy()).min() > 0.0
    assert rescaled.index.equals(covariance.index)
    assert rescaled.columns.equals(covariance.columns)
    pd.testing.assert_frame_equal(covariance, before)  # pure


def test_assets_without_a_forecast_keep_their_vol(covariance: pd.DataFrame) -> None:
    rescaled = vol_rescale(covariance, pd.Series({"VTI": 0.3}))

    assert rescaled.loc["VTI", "VTI"] == pytest.approx(0.09)
    np.testing.assert_allclose(np.diag(rescaled)[1:], np.diag(covariance)[1:], rtol=1e-12)
    np.testing.assert_allclose(correlation(rescaled), correlation(covariance), atol=1e-12)


def test_a_singular_covariance_stays_positive_semi_definite() -> None:
    factor = np.array([[1.0, 0.5, -0.2], [0.3, 0.1, 0.4]])
    singular = pd.DataFrame(factor.T @ factor, index=list("abc"), columns=list("abc"))

    rescaled = vol_rescale(singular, pd.Series({"a": 2.0, "b": 0.1, "c": 5.0}))

    eigenvalues = np.linalg.eigvalsh(rescaled.to_numpy())
    assert eigenvalues.min() > -1e-12 * eigenvalues.max()
    np.testing.assert_allclose(rescaled.to_numpy(), rescaled.to_numpy().T, rtol=0, atol=0)


@pytest.mark.parametrize(
    ("vols", "error", "message"),
    [
        (pd.Series({"VTI": -0.1}), DataFormatError, "vols must be positive and finite"),
        (pd.Series({"VTI": 0.0}), DataFormatError, "vols must be positive and finite"),
        (pd.Series({"VTI": np.nan}), DataFormatError, "vols must be positive and finite"),
        (pd.Series({"SPY": 0.2}), NotFoundError, r"not in the covariance: \['SPY'\]"),
        ({"VTI": 0.2}, DataFormatError, "vols must be a pandas Series"),
    ],
)
def test_bad_vols_are_refused(
    covariance: pd.DataFrame, vols: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        vol_rescale(covariance, vols)  # type: ignore[arg-type]


def test_bad_covariances_are_refused() -> None:
    labels = ["a", "b"]
    vols = pd.Series({"a": 0.2})

    cases = {
        "not symmetric": pd.DataFrame([[1.0, 0.5], [0.2, 1.0]], index=labels, columns=labels),
        "not positive semi-definite": pd.DataFrame(
            [[1.0, 2.0], [2.0, 1.0]], index=labels, columns=labels
        ),
        "non-positive variances": pd.DataFrame(
            [[1.0, 0.0], [0.0, 0.0]], index=labels, columns=labels
        ),
        "same unique tickers": pd.DataFrame(np.eye(2), index=labels, columns=["a", "c"]),
        "square": pd.DataFrame(np.ones((2, 3))),
        "missing or infinite": pd.DataFrame(
            [[1.0, np.nan], [np.nan, 1.0]], index=labels, columns=labels
        ),
    }
    for message, matrix in cases.items():
        with pytest.raises(DataFormatError, match=message):
            vol_rescale(matrix, vols)
