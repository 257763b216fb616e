import numpy as np
import pytest
from estimate_helpers import make_returns

from microfolio.errors import MicrofolioError
from microfolio.estimate import FactorCovariance, SampleCovariance


def _principal_components(cov: np.ndarray, k: int) -> np.ndarray:
    """The k-factor model written out from a full eigen-decomposition (the reference)."""
    values, vectors = np.linalg.eigh(cov)
    top, load = values[::-1][:k], vectors[:, ::-1][:, :k]
    model: np.ndarray = (load * top) @ load.T
    np.fill_diagonal(model, np.diag(cov))  # specific variance makes up the rest
    return model


def test_as_many_factors_as_assets_gives_back_the_sample_covariance() -> None:
    returns = make_returns(n_assets=8)

    factor = FactorCovariance(n_factors=8).fit(returns).covariance_
    sample = SampleCovariance().fit(returns).covariance_

    np.testing.assert_allclose(factor.to_numpy(), sample.to_numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(("n_rows", "n_assets", "k"), [(300, 12, 3), (40, 60, 4), (40, 60, 60)])
def test_factor_covariance_is_the_leading_components_plus_specific_variance(
    n_rows: int, n_assets: int, k: int
) -> None:
    returns = make_returns(n_rows, n_assets)
    sample = SampleCovariance().fit(returns).covariance_.to_numpy()

    model = FactorCovariance(n_factors=k).fit(returns)

    reference = _principal_components(np.cov(returns.to_numpy(), rowvar=False) * 252, k)
    np.testing.assert_allclose(model.covariance_.to_numpy(), reference, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(np.diag(model.covariance_), np.diag(sample), rtol=1e-12)


def test_factor_model_parts_add_up_to_the_covariance() -> None:
    returns = make_returns(n_assets=10)

    model = FactorCovariance(n_factors=2).fit(returns)

    b = model.loadings_.to_numpy()
    rebuilt = (b * model.factor_variances_.to_numpy()) @ b.T + np.diag(model.specific_variances_)
    np.testing.assert_allclose(model.covariance_.to_numpy(), rebuilt, rtol=1e-12)
    np.testing.assert_allclose(b.T @ b, np.eye(2), atol=1e-12)  # orthonormal loadings
    assert (model.loadings_.sum() >= 0).all()  # sign convention
    assert (model.specific_variances_ > 0).all()
    assert model.repaired_ is False
    assert 0.5 < model.explained_variance_ratio_ < 1.0  # one strong market factor


def test_more_factors_than_assets_is_refused() -> None:
    with pytest.raises(MicrofolioError, match="n_factors=7 exceeds the 6 assets"):
        FactorCovariance(n_factors=7).fit(make_returns())
