import numpy as np
import pandas as pd
import pytest
from estimate_helpers import make_returns

from microfolio.errors import MicrofolioError
from microfolio.estimate import TRADING_DAYS, EWMACovariance, SampleCovariance, ewma_weights

# -- sample covariance ----------------------------------------------------------------------------


def test_sample_covariance_is_numpy_cov_annualised() -> None:
    returns = make_returns()

    model = SampleCovariance().fit(returns)

    expected = np.cov(returns.to_numpy(), rowvar=False) * TRADING_DAYS
    np.testing.assert_allclose(model.covariance_.to_numpy(), expected, rtol=1e-12)
    assert list(model.covariance_.index) == list(returns.columns)
    assert list(model.covariance_.columns) == list(returns.columns)
    assert model.repaired_ is False
    assert model.repair_detail_ == ""
    assert model.n_observations_ == 300


def test_sample_covariance_uses_complete_rows_by_default() -> None:
    returns = make_returns()
    returns.iloc[:50, 2] = np.nan  # listed late

    model = SampleCovariance().fit(returns)

    expected = np.cov(returns.iloc[50:].to_numpy(), rowvar=False) * TRADING_DAYS
    np.testing.assert_allclose(model.covariance_.to_numpy(), expected, rtol=1e-12)
    assert model.n_observations_ == 250


def test_pairwise_sample_covariance_matches_pandas() -> None:
    returns = make_returns()
    returns.iloc[:120, 1] = np.nan
    returns.iloc[60:90, 4] = np.nan

    model = SampleCovariance(missing="pairwise").fit(returns)

    expected = returns.cov().to_numpy() * TRADING_DAYS  # pandas is pairwise
    np.testing.assert_allclose(model.covariance_.to_numpy(), expected, rtol=1e-10)
    assert model.n_observations_ == 180  # the fewest rows a pair shares (T001 with any)


def test_a_late_listed_fund_with_too_short_a_history_is_a_clear_error() -> None:
    returns = make_returns()
    returns.iloc[:281, 3] = np.nan  # 19 returns left

    with pytest.raises(MicrofolioError) as caught:
        SampleCovariance(min_periods=60).fit(returns)

    message = str(caught.value)
    assert "only 19 rows have a return for every asset, min_periods=60" in message
    assert "shortest histories: T003 (19)" in message
    assert "\n" not in message


def test_pairwise_refuses_a_pair_with_too_few_common_returns() -> None:
    returns = make_returns()
    returns.iloc[:150, 0] = np.nan
    returns.iloc[140:, 5] = np.nan  # T000 and T005 overlap on 0 rows

    with pytest.raises(MicrofolioError, match="T000 and T005 share only 0 returns"):
        SampleCovariance(missing="pairwise", min_periods=20).fit(returns)


# -- EWMA covariance ------------------------------------------------------------------------------


def test_ewma_weights_halve_every_half_life() -> None:
    weights = ewma_weights(5, half_life=2.0)

    np.testing.assert_allclose(weights, [0.25, 2**-1.5, 0.5, 2**-0.5, 1.0], rtol=1e-15)
    assert ewma_weights(3, float("inf")).tolist() == [1.0, 1.0, 1.0]


def test_ewma_covariance_on_a_hand_case() -> None:
    x = np.array([0.01, -0.02, 0.03])
    y = np.array([0.00, 0.01, 0.02])
    returns = pd.DataFrame({"X": x, "Y": y})
    w = np.array([0.25, 0.5, 1.0])  # half_life=1: the newest row weighs 1, each older half
    v = w / w.sum()
    mx, my = sum(v * x), sum(v * y)
    unbiased = 1.0 - sum(v * v)
    cov_xy = sum(v * (x - mx) * (y - my)) / unbiased
    var_x = sum(v * (x - mx) ** 2) / unbiased

    cov = EWMACovariance(half_life=1.0).fit(returns).covariance_

    assert cov.loc["X", "Y"] == pytest.approx(cov_xy * TRADING_DAYS, rel=1e-12)
    assert cov.to_numpy()[1, 0] == cov.to_numpy()[0, 1]
    assert cov.loc["X", "X"] == pytest.approx(var_x * TRADING_DAYS, rel=1e-12)


def test_ewma_covariance_matches_pandas_ewm_on_the_last_row() -> None:
    returns = make_returns()

    cov = EWMACovariance(half_life=20.0).fit(returns).covariance_

    expected = returns.ewm(halflife=20.0).cov().loc[returns.index[-1]] * TRADING_DAYS
    np.testing.assert_allclose(cov.to_numpy(), expected.to_numpy(), rtol=1e-10)


def test_pairwise_ewma_covariance_matches_pandas_ewm() -> None:
    returns = make_returns()
    returns.iloc[:100, 2] = np.nan
    returns.iloc[200:230, 4] = np.nan

    cov = EWMACovariance(half_life=30.0, missing="pairwise").fit(returns).covariance_

    expected = returns.ewm(halflife=30.0).cov().loc[returns.index[-1]] * TRADING_DAYS
    np.testing.assert_allclose(cov.to_numpy(), expected.to_numpy(), rtol=1e-10)


def test_ewma_covariance_with_an_infinite_half_life_is_the_sample_covariance() -> None:
    returns = make_returns()

    ewma = EWMACovariance(half_life=float("inf")).fit(returns).covariance_
    sample = SampleCovariance().fit(returns).covariance_

    np.testing.assert_allclose(ewma.to_numpy(), sample.to_numpy(), rtol=1e-12)


def test_ewma_weights_follow_row_positions_when_a_row_is_dropped() -> None:
    returns = make_returns(n_rows=50, n_assets=2)
    returns.iloc[25, 0] = np.nan  # the complete-case policy drops this row

    cov = EWMACovariance(half_life=10.0).fit(returns).covariance_

    values = returns.drop(index=returns.index[25]).to_numpy()
    weights = np.delete(0.5 ** (np.arange(49, -1, -1) / 10.0), 25)  # ages kept, not shifted
    expected = np.cov(values, rowvar=False, aweights=weights) * TRADING_DAYS
    np.testing.assert_allclose(cov.to_numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("estimator", "message"),
    [
        (EWMACovariance(half_life=0.0), "half_life must be positive"),
        (EWMACovariance(half_life=-5), "half_life must be positive"),
        (SampleCovariance(missing="drop"), "missing must be one of complete, pairwise"),  # type: ignore[arg-type]
        (SampleCovariance(min_periods=1), "min_periods must be an integer >= 2"),
        (SampleCovariance(periods_per_year=0), "periods_per_year must be positive"),
    ],
)
def test_bad_parameters_are_refused_at_fit_naming_the_parameter(
    estimator: SampleCovariance, message: str
) -> None:
    with pytest.raises(MicrofolioError, match=message):
        estimator.fit(make_returns())
