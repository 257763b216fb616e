from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from sklearn.base import clone

from microfolio.errors import DataFormatError, InvariantError, NotFoundError
from microfolio.optimize import BlackLitterman, MaxSharpe, MinVariance, View, views_from_file
from microfolio.optimize.constraints import Constraints

# -- He and Litterman (1999), "The intuition behind Black-Litterman model portfolios" -----------

COUNTRIES = ["AUS", "CAN", "FRA", "GER", "JAP", "UKG", "USA"]
CORRELATION = np.array(
    [
        [1.000, 0.488, 0.478, 0.515, 0.439, 0.512, 0.491],
        [0.488, 1.000, 0.664, 0.655, 0.310, 0.608, 0.779],
        [0.478, 0.664, 1.000, 0.861, 0.355, 0.783, 0.668],
        [0.515, 0.655, 0.861, 1.000, 0.354, 0.777, 0.653],
        [0.439, 0.310, 0.355, 0.354, 1.000, 0.405, 0.306],
        [0.512, 0.608, 0.783, 0.777, 0.405, 1.000, 0.652],
        [0.491, 0.779, 0.668, 0.653, 0.306, 0.652, 1.000],
    ]
)
VOLATILITY = np.array([16.0, 20.3, 24.8, 27.1, 21.0, 20.0, 18.7]) / 100
MARKET = dict(zip(COUNTRIES, np.array([1.6, 2.2, 5.2, 5.5, 11.6, 12.4, 61.5]) / 100, strict=True))
HL_COV = pd.DataFrame(
    CORRELATION * np.outer(VOLATILITY, VOLATILITY), index=COUNTRIES, columns=COUNTRIES
)
# view 1: Germany outperforms the rest of Europe (France and the UK, cap-weighted) by 5%
GERMANY = View({"GER": 1.0, "FRA": -0.295, "UKG": -0.705}, 0.05, name="Germany over Europe")
# view 2: Canada outperforms the US by 3%
CANADA = View.relative("CAN", "USA", 0.03, name="Canada over US")


def _he_litterman(*views: View) -> BlackLitterman:
    return BlackLitterman(
        views=views, tau=0.05, risk_aversion=2.5, market_weights=MARKET
    ).fit_moments(HL_COV)


def _unconstrained_weights(model: BlackLitterman, delta: float = 2.5) -> np.ndarray:
    """He and Litterman's optimal weights w* = (delta Sigma_BL)^-1 mu_BL, in percent."""
    return (
        np.linalg.solve(delta * model.posterior_cov_.to_numpy(), model.posterior_mu_.to_numpy())
        * 100
    )


def test_he_litterman_equilibrium_returns() -> None:
    model = _he_litterman()

    # their table 2, in percent (rounded to 0.1)
    np.testing.assert_allclose(
        model.prior_.to_numpy() * 100, [3.9, 6.9, 8.4, 9.0, 4.3, 6.8, 7.6], atol=0.05
    )


def test_he_litterman_one_view_posterior_and_weights() -> None:
    model = _he_litterman(GERMANY)

    np.testing.assert_allclose(
        model.posterior_mu_.to_numpy() * 100, [4.3, 7.6, 9.3, 11.0, 4.5, 7.0, 8.1], atol=0.05
    )
    np.testing.assert_allclose(
        _unconstrained_weights(model), [1.5, 2.1, -3.9, 35.4, 11.0, -9.5, 58.6], atol=0.05
    )


def test_he_litterman_two_views_posterior_and_weights() -> None:
    model = _he_litterman(GERMANY, CANADA)

    np.testing.assert_allclose(
        model.posterior_mu_.to_numpy() * 100, [4.4, 8.7, 9.5, 11.2, 4.6, 7.0, 7.5], atol=0.05
    )
    np.testing.assert_allclose(
        _unconstrained_weights(model), [1.5, 41.9, -3.4, 33.6, 11.0, -8.2, 18.8], atol=0.05
    )


# -- an independent implementation of the textbook formulas ------------------------------------


def _textbook(
    cov: np.ndarray,
    w_mkt: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    confidences: list[float],
    tau: float,
    delta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The precision form: mu = [(tau S)^-1 + P' O^-1 P]^-1 [(tau S)^-1 pi + P' O^-1 q],
    Sigma_BL = Sigma + [(tau S)^-1 + P' O^-1 P]^-1, with Idzorek's omega_k."""
    pi = delta * cov @ w_mkt
    omega = np.diag(
        [(1 - c) / c * tau * row @ cov @ row for row, c in zip(p, confidences, strict=True)]
    )
    prior_precision = np.linalg.inv(tau * cov)
    view_precision = p.T @ np.linalg.inv(omega) @ p
    m = np.linalg.inv(prior_precision + view_precision)
    mu = m @ (prior_precision @ pi + p.T @ np.linalg.inv(omega) @ q)
    return mu, cov + m


def _random_cov(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, n)) @ rng.normal(size=(n, n)) * 0.01
    names = [f"A{i}" for i in range(n)]
    return pd.DataFrame(np.cov(x, rowvar=False) * 252, index=names, columns=names)


def test_posterior_matches_the_textbook_precision_form_with_confidences() -> None:
    cov = _random_cov(6, seed=1)
    w_mkt = np.array([0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    views = [
        View.absolute("A0", 0.08, confidence=0.3),
        View.relative("A1", "A2", 0.02, confidence=0.7),
        View.relative(["A3", "A4"], "A5", 0.01, confidence=0.55),
    ]
    p = np.array([[1, 0, 0, 0, 0, 0], [0, 1, -1, 0, 0, 0], [0, 0, 0, 0.5, 0.5, -1]], dtype=float)

    model = BlackLitterman(
        views=views,
        tau=0.025,
        risk_aversion=3.07,
        market_weights=dict(zip(cov.columns, w_mkt, strict=True)),
    ).fit_moments(cov)

    mu, post_cov = _textbook(
        cov.to_numpy(), w_mkt, p, np.array([0.08, 0.02, 0.01]), [0.3, 0.7, 0.55], 0.025, 3.07
    )
    np.testing.assert_allclose(model.posterior_mu_.to_numpy(), mu, rtol=1e-10)
    np.testing.assert_allclose(model.posterior_cov_.to_numpy(), post_cov, rtol=1e-10)
    assert model.omega_.index.tolist() == ["view 1", "view 2", "view 3"]


def test_idzorek_confidence_moves_the_weights_that_fraction_of_the_way() -> None:
    # Idzorek (2005): omega is the one that moves the unconstrained max-utility weights
    # (delta Sigma)^-1 mu a fraction C of the way to the weights of the 100%-confident view
    cov = _random_cov(5, seed=2)
    sigma = cov.to_numpy()
    delta, tau, confidence = 2.5, 0.05, 0.4
    view = View.relative("A1", "A3", 0.04, confidence=confidence)
    p = np.array([0.0, 1.0, 0.0, -1.0, 0.0])
    w_mkt = np.full(5, 0.2)

    def weights(omega: float) -> np.ndarray:
        pi = delta * sigma @ w_mkt
        gain = tau * sigma @ p / (tau * p @ sigma @ p + omega)
        return np.linalg.solve(delta * sigma, pi + gain * (0.04 - p @ pi))

    full = weights(0.0)
    target = w_mkt + confidence * (full - w_mkt)
    # Idzorek's step 6, numerically: least squares over omega
    best = minimize_scalar(
        lambda log_omega: float(np.sum((target - weights(np.exp(log_omega))) ** 2)),
        bounds=(-20, 5),
        method="bounded",
        options={"xatol": 1e-12},
    )

    model = BlackLitterman(views=[view], tau=tau, risk_aversion=delta).fit_moments(cov)

    omega = float(model.omega_.iloc[0, 0])
    assert omega == pytest.approx(float(np.exp(best.x)), rel=1e-6)
    tilt = np.linalg.solve(delta * sigma, model.posterior_mu_.to_numpy()) - w_mkt
    np.testing.assert_allclose(tilt, confidence * (full - w_mkt), atol=1e-12)


# -- limiting cases ----------------------------------------------------------------------------


def test_no_views_leave_the_equilibrium() -> None:
    cov = _random_cov(4, seed=3)

    model = BlackLitterman().fit_moments(cov)

    np.testing.assert_allclose(model.posterior_mu_.to_numpy(), model.prior_.to_numpy())
    np.testing.assert_allclose(model.prior_.to_numpy(), 2.5 * cov.to_numpy() @ np.full(4, 0.25))
    np.testing.assert_allclose(model.posterior_cov_.to_numpy(), 1.05 * cov.to_numpy())
    assert model.fallback_chain_[0] == "black_litterman: posterior from 0 view(s)"


def test_full_confidence_makes_the_views_hold_exactly() -> None:
    cov = _random_cov(5, seed=4)
    views = [
        View.absolute("A0", 0.11, confidence=1.0),
        View.relative("A2", "A4", -0.03, confidence=1.0),
    ]

    model = BlackLitterman(views=views).fit_moments(cov)

    mu = model.posterior_mu_
    assert mu["A0"] == pytest.approx(0.11, abs=1e-12)
    assert mu["A2"] - mu["A4"] == pytest.approx(-0.03, abs=1e-12)


def test_zero_confidence_is_the_equilibrium_and_the_view_is_dropped() -> None:
    cov = _random_cov(5, seed=5)

    model = BlackLitterman(views=[View.absolute("A0", 0.5, confidence=0.0)]).fit_moments(cov)

    np.testing.assert_allclose(model.posterior_mu_.to_numpy(), model.prior_.to_numpy())
    assert model.views_ == ()
    assert "1 at 0% confidence dropped" in model.fallback_chain_[0]


def test_confidence_moves_the_posterior_monotonically_towards_the_view() -> None:
    cov = _random_cov(5, seed=6)

    gaps = [
        abs(
            BlackLitterman(views=[View.absolute("A1", 0.2, confidence=c)])
            .fit_moments(cov)
            .posterior_mu_["A1"]
            - 0.2
        )
        for c in (0.1, 0.5, 0.9, 0.99)
    ]

    assert gaps == sorted(gaps, reverse=True)


def test_no_confidence_is_he_littermans_omega_and_half_confidence() -> None:
    cov = _random_cov(4, seed=7)

    default = BlackLitterman(views=[View.relative("A0", "A1", 0.02)]).fit_moments(cov)
    half = BlackLitterman(views=[View.relative("A0", "A1", 0.02, confidence=0.5)]).fit_moments(cov)

    p = np.array([1.0, -1.0, 0.0, 0.0])
    assert default.omega_.iloc[0, 0] == pytest.approx(0.05 * p @ cov.to_numpy() @ p)
    np.testing.assert_allclose(default.posterior_mu_.to_numpy(), half.posterior_mu_.to_numpy())


def test_risk_free_rate_is_added_to_the_prior_and_absolute_views_are_total_returns() -> None:
    cov = _random_cov(4, seed=8)
    plain = BlackLitterman().fit_moments(cov)

    model = BlackLitterman(
        views=[View.absolute("A0", 0.09, confidence=1.0)], risk_free_rate=0.02
    ).fit_moments(cov)

    np.testing.assert_allclose(model.prior_.to_numpy(), plain.prior_.to_numpy() + 0.02)
    assert model.posterior_mu_["A0"] == pytest.approx(0.09, abs=1e-12)


def test_explicit_omega_as_variances_or_matrix() -> None:
    cov = _random_cov(4, seed=9)
    views = [View.absolute("A0", 0.1), View.relative("A1", "A2", 0.02)]

    as_vector = BlackLitterman(views=views, omega=[0.01, 0.02]).fit_moments(cov)
    as_matrix = BlackLitterman(views=views, omega=np.diag([0.01, 0.02])).fit_moments(cov)

    np.testing.assert_allclose(
        as_vector.posterior_mu_.to_numpy(), as_matrix.posterior_mu_.to_numpy()
    )
    np.testing.assert_allclose(as_vector.omega_.to_numpy(), np.diag([0.01, 0.02]))


# -- the optimiser on the posterior ------------------------------------------------------------


def test_default_optimiser_is_max_sharpe_on_the_posterior_moments() -> None:
    cov = _random_cov(5, seed=10)
    views = [View.absolute("A0", 0.12), View.relative("A1", "A2", 0.03, confidence=0.6)]

    model = BlackLitterman(views=views).fit_moments(cov)
    direct = MaxSharpe().fit_moments(model.posterior_cov_, model.posterior_mu_)

    pd.testing.assert_series_equal(model.weights_, direct.weights_)
    assert model.fallback_chain_ == (
        "black_litterman: posterior from 2 view(s)",
        *direct.fallback_chain_,
    )
    assert model.solver_ == direct.solver_
    explanation = model.explain()
    assert explanation.expected_return == pytest.approx(float(model.weights_ @ model.posterior_mu_))
    assert explanation.risk_contributions.sum() == pytest.approx(1.0)
    pd.testing.assert_frame_equal(model.covariance_, model.posterior_cov_)


def test_any_optimiser_takes_the_posterior_and_is_cloned() -> None:
    cov = _random_cov(5, seed=11)
    given = MinVariance(constraints=Constraints(upper=0.3, min_cash=0.05))

    model = BlackLitterman(views=[View.absolute("A3", 0.2)], optimizer=given).fit_moments(cov)

    expected = clone(given).fit_moments(model.posterior_cov_)
    pd.testing.assert_series_equal(model.weights_, expected.weights_)
    assert model.cash_ == 0.05
    assert model.weights_.max() <= 0.3 + 1e-9
    assert not hasattr(given, "weights_")
    assert model.optimizer_ is not given


def test_fit_on_returns() -> None:
    rng = np.random.default_rng(12)
    returns = pd.DataFrame(
        rng.normal(0.0004, 0.01, (400, 4)) + rng.normal(0, 0.008, (400, 1)),
        columns=["VTI", "VEA", "AGG", "GLD"],
    )

    model = BlackLitterman(views=[View.relative("VTI", "AGG", 0.03, confidence=0.8)]).fit(returns)

    assert model.weights_.sum() + model.cash_ == pytest.approx(1.0)
    assert (
        model.posterior_mu_["VTI"] - model.posterior_mu_["AGG"]
        > model.prior_["VTI"] - model.prior_["AGG"]
    )


# -- refusals ----------------------------------------------------------------------------------


def test_a_view_on_an_unknown_ticker_names_the_view() -> None:
    cov = _random_cov(3, seed=13)

    with pytest.raises(NotFoundError, match=r"view 2 \(A0 outperforms NOPE by 2.00%\) names NOPE"):
        BlackLitterman(
            views=[View.absolute("A1", 0.05), View.relative("A0", "NOPE", 0.02)]
        ).fit_moments(cov)
    with pytest.raises(NotFoundError, match="market_weights name unknown tickers: ZZ"):
        BlackLitterman(market_weights={"ZZ": 1.0}).fit_moments(cov)


def test_omega_and_confidences_together_or_misshapen_are_refused() -> None:
    cov = _random_cov(3, seed=14)

    with pytest.raises(InvariantError, match="either omega or view confidences"):
        BlackLitterman(views=[View.absolute("A0", 0.1, confidence=0.5)], omega=[0.01]).fit_moments(
            cov
        )
    with pytest.raises(InvariantError, match="1 variances or a 1 x 1 matrix"):
        BlackLitterman(views=[View.absolute("A0", 0.1)], omega=[0.01, 0.02]).fit_moments(cov)


def test_contradictory_certain_views_are_refused_in_words() -> None:
    cov = _random_cov(3, seed=15)
    views = [View.absolute("A0", 0.1, confidence=1.0), View.absolute("A0", 0.2, confidence=1.0)]

    with pytest.raises(InvariantError, match="redundant or contradictory at full confidence"):
        BlackLitterman(views=views).fit_moments(cov)


def test_parameters_follow_the_estimator_contract() -> None:
    views = (View.absolute("A", 0.05),)

    params = clone(BlackLitterman(views=views, tau=0.025)).get_params()

    assert params["views"] == views
    assert params["tau"] == 0.025
    assert set(params) == {
        "views",
        "tau",
        "risk_aversion",
        "market_weights",
        "omega",
        "optimizer",
        "risk_free_rate",
        "cov_estimator",
    }


# -- views -------------------------------------------------------------------------------------


def test_views_describe_themselves() -> None:
    assert View.absolute("VTI", 0.06).describe() == "VTI returns 6.00%"
    assert View.relative("VTI", "AGG", 0.02, confidence=0.8).describe() == (
        "VTI outperforms AGG by 2.00% (80% confident)"
    )
    assert View.relative(["VTI", "VEA"], "AGG", 0.03).assets == {
        "VTI": 0.5,
        "VEA": 0.5,
        "AGG": -1.0,
    }


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: View.absolute("VTI", 0.06, confidence=1.5), "confidence must be in"),
        (lambda: View({}, 0.06), "names no asset"),
        (lambda: View.relative("VTI", "VTI", 0.01), "both sides"),
        (lambda: View.absolute("VTI", float("nan")), "must be finite"),
        (lambda: View("VTI", 0.06), "must be a mapping"),  # type: ignore[arg-type]
    ],
)
def test_bad_views_are_refused(build: object, message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        build()  # type: ignore[operator]


def test_views_from_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "views.json"
    path.write_text(
        json.dumps(
            [
                {"type": "absolute", "asset": "VTI", "return": 0.06, "confidence": 0.5},
                {
                    "type": "relative",
                    "long": "VTI",
                    "short": "AGG",
                    "return": "2%",
                    "confidence": "80%",
                    "name": "stocks",
                },
                {"long": ["VTI", "VEA"], "short": "AGG", "return": 0.03},
            ]
        )
    )

    views = views_from_file(path)

    assert views == (
        View.absolute("VTI", 0.06, 0.5),
        View.relative("VTI", "AGG", 0.02, 0.8, name="stocks"),
        View.relative(["VTI", "VEA"], "AGG", 0.03),
    )


def test_views_from_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "views.csv"
    path.write_text(
        "type,asset,long,short,return,confidence,name\n"
        "absolute,VTI,,,0.06,0.5,\n"
        "relative,,VTI;VEA,AGG,2%,0.8,stocks over bonds\n"
    )

    views = views_from_file(path)

    assert views == (
        View.absolute("VTI", 0.06, 0.5),
        View.relative(["VTI", "VEA"], "AGG", 0.02, 0.8, name="stocks over bonds"),
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"type": "absolute", "return": 0.05}]', r"views.json: view 1: field 'asset' is missing"),
        (
            '[{"asset": "VTI", "return": 0.05}, {"long": "VTI", "return": 0.01}]',
            r"view 2: field 'short' is missing",
        ),
        (
            '[{"asset": "VTI", "return": 6}]',
            r"view 1: field 'return': 6 looks like a percent; write 0.06",
        ),
        ('[{"asset": "VTI", "return": "six"}]', r"field 'return' must be a number or a percent"),
        (
            '[{"asset": "VTI", "return": 0.06, "confidence": 1.2}]',
            r"field 'confidence' must be in \[0, 1\]",
        ),
        ('[{"asset": "VTI", "return": 0.06, "conf": 0.5}]', r"unknown field\(s\) conf"),
        (
            '[{"type": "sideways", "asset": "VTI", "return": 0.06}]',
            r"field 'type' must be absolute or relative",
        ),
        (
            '[{"asset": "VTI", "short": "AGG", "return": 0.06}]',
            r"field 'short' belongs to relative views",
        ),
        (
            '[{"name": "x", "long": "VTI", "short": "VTI", "return": 0.01}]',
            r"view 1 \(x\): VTI is on both sides",
        ),
        ('{"views": 3}', r"expected a JSON list of views"),
        ("[1, 2]", r"view 1 is not an object"),
        ('[{"asset": "VTI", "return": 0.05}', r"not valid JSON \(line 1"),
        ("[]", r"holds no views"),
    ],
)
def test_bad_views_files_name_the_view_and_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "views.json"
    path.write_text(content)

    with pytest.raises(DataFormatError, match=message):
        views_from_file(path)


def test_bad_csv_views_and_missing_files(tmp_path: Path) -> None:
    bad_header = tmp_path / "views.csv"
    bad_header.write_text("ticker,return\nVTI,0.05\n")
    with pytest.raises(DataFormatError, match="CSV header must name fields"):
        views_from_file(bad_header)
    with pytest.raises(DataFormatError, match="no such views file"):
        views_from_file(tmp_path / "missing.json")
