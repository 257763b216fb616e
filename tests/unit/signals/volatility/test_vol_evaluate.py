"""Walk-forward evaluation on VTI 2007-2012: scores, refits, no look-ahead, the best model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.volatility import (
    FORECAST_COLUMNS,
    SUMMARY_COLUMNS,
    EWMAVol,
    GarchVol,
    GjrGarchVol,
    HarVol,
    HistoricalVol,
    LstmVol,
    VolatilityForecaster,
    VolEvaluation,
    best_model,
    evaluate_vol_models,
    qlike,
)

START = "2007-01-01"
REFIT = 63
STEP = 5


def models() -> dict[str, VolatilityForecaster]:
    return {
        "ewma": EWMAVol(),
        "garch": GarchVol(),
        "gjr": GjrGarchVol(),
        "har": HarVol(),
        "lstm": LstmVol(epochs=2),
        "historical": HistoricalVol(),
    }


@pytest.fixture(scope="module")
def evaluation(vti: pd.Series) -> VolEvaluation:
    return evaluate_vol_models(vti, models(), start=START, step=STEP, horizon=1, refit_every=REFIT)


def test_every_model_has_finite_scores(evaluation: VolEvaluation) -> None:
    summary = evaluation.summary

    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert set(summary.index) == set(models())
    assert np.isfinite(summary[["mean_qlike", "mse", "mean_forecast_vol"]].to_numpy()).all()
    assert summary["n_scored"].nunique() == 1  # every model is scored on the same origins
    assert sorted(summary["rank"]) == list(range(1, len(summary) + 1))
    assert summary["rank"].is_monotonic_increasing  # best first


def test_forecasts_frame_is_tidy(evaluation: VolEvaluation, vti: pd.Series) -> None:
    forecasts = evaluation.forecasts

    assert tuple(forecasts.columns) == FORECAST_COLUMNS
    origins = forecasts["origin"].unique()
    assert len(forecasts) == len(origins) * len(models())
    assert origins[0] == vti.loc[START:].index[0]
    assert origins[-1] <= vti.index[-2]  # one realised session after the last origin
    scored = forecasts[forecasts["scored"]]
    np.testing.assert_allclose(scored["forecast_variance"], scored["forecast_vol"] ** 2)
    assert np.isfinite(scored[["qlike", "squared_error"]].to_numpy()).all()
    assert forecasts.loc[~forecasts["scored"], "realised_variance"].eq(0.0).all()


def test_ewma_and_garch_beat_a_constant_vol(evaluation: VolEvaluation, vti: pd.Series) -> None:
    summary = evaluation.summary
    one_model = evaluation.forecasts.query("model == 'ewma' and scored")
    realised = one_model["realised_variance"].to_numpy()
    # the naive benchmark: the full-sample vol at the start, held constant for six years
    constant = float(np.mean(vti.loc[:START].to_numpy() ** 2)) * 252
    naive = qlike(np.full(len(realised), constant), realised)

    for name in ("ewma", "garch", "gjr"):
        assert summary.loc[name, "mean_qlike"] < naive
        assert summary.loc[name, "mean_qlike"] < summary.loc["historical", "mean_qlike"]


def test_best_model_is_the_lowest_mean_qlike(evaluation: VolEvaluation) -> None:
    best = best_model(evaluation.summary)

    assert best == evaluation.summary["mean_qlike"].idxmin()
    assert evaluation.summary.loc[best, "rank"] == 1


def test_models_are_refitted_every_refit_every_sessions(
    evaluation: VolEvaluation, vti: pd.Series
) -> None:
    garch = evaluation.forecasts.query("model == 'garch'")
    positions = vti.index.get_indexer(pd.DatetimeIndex(garch["origin"]))
    refits = positions[garch["refit"].to_numpy()]

    assert garch["refit"].iloc[0]
    gaps = np.diff(refits)
    assert ((gaps >= REFIT) & (gaps < REFIT + STEP)).all()
    assert 20 <= len(refits) <= 25  # six years of 63-session quarters
    # between refits the filter still moves the forecast
    assert garch["forecast_vol"].nunique() > 5 * len(refits)


def test_forecasts_at_t_do_not_change_when_the_future_does(vti: pd.Series) -> None:
    cutoff = pd.Timestamp("2010-01-04")
    rng = np.random.default_rng(11)
    perturbed = vti.copy()
    future = perturbed.index > cutoff
    perturbed[future] = 3.0 * perturbed[future] + rng.normal(0.0, 0.02, future.sum())
    arguments = {
        "start": "2009-06-01",
        "end": "2010-06-30",
        "step": 3,
        "horizon": 5,
        "refit_every": 42,
    }

    base = evaluate_vol_models(vti, models(), **arguments).forecasts  # type: ignore[arg-type]
    changed = evaluate_vol_models(perturbed, models(), **arguments).forecasts  # type: ignore[arg-type]

    known = base["origin"] <= cutoff
    assert known.any()
    assert (~known).any()
    pd.testing.assert_series_equal(
        base.loc[known, "forecast_vol"], changed.loc[known, "forecast_vol"]
    )
    # ... and the test has power: after the cut-off every model's forecasts move
    after = base.loc[~known].assign(changed=changed.loc[~known, "forecast_vol"])
    moved = (after["forecast_vol"] != after["changed"]).groupby(after["model"]).any()
    assert moved.all()


def test_rolling_window_fits_on_the_last_sessions_only(vti: pd.Series) -> None:
    arguments = {"start": "2010-01-01", "end": "2010-12-31", "step": 21, "refit_every": 63}
    model = {"historical": HistoricalVol()}

    rolling = evaluate_vol_models(vti, model, window=250, **arguments).forecasts  # type: ignore[arg-type]
    expanding = evaluate_vol_models(vti, model, **arguments).forecasts  # type: ignore[arg-type]

    origin = rolling["origin"].iloc[0]
    last_250 = vti.loc[:origin].iloc[-250:]
    assert rolling["forecast_vol"].iloc[0] == pytest.approx(np.sqrt(252 * np.mean(last_250**2)))
    assert expanding["forecast_vol"].iloc[0] != pytest.approx(rolling["forecast_vol"].iloc[0])


def test_a_variance_proxy_goes_to_the_models_that_use_one(vti: pd.Series) -> None:
    proxy = 2.0 * vti**2  # any per-session variance measure aligned with the returns
    arguments = {"start": "2010-01-01", "end": "2010-12-31", "step": 21, "refit_every": 63}
    pair = {"har": HarVol(), "ewma": EWMAVol()}

    plain = evaluate_vol_models(vti, pair, **arguments).forecasts  # type: ignore[arg-type]
    with_proxy = evaluate_vol_models(vti, pair, variance_proxy=proxy, **arguments).forecasts  # type: ignore[arg-type]

    # HAR rescales a proxy proportional to squared returns back exactly; EWMA never reads it
    np.testing.assert_allclose(with_proxy["forecast_vol"], plain["forecast_vol"], rtol=1e-9)


def test_the_given_models_stay_unfitted(vti: pd.Series) -> None:
    given = {"ewma": EWMAVol()}

    evaluate_vol_models(vti, given, start="2012-06-01", step=21)

    assert not hasattr(given["ewma"], "variance_")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"start": "2005-04-01"}, InvariantError, "model 'garch' needs 100"),
        ({"start": "2013-06-01"}, InvariantError, "leaves no origin"),
        ({"start": "2010-01-01", "horizon": 0}, InvariantError, "horizon must be an integer >= 1"),
        ({"start": "2010-01-01", "step": 0}, InvariantError, "step must be an integer >= 1"),
        ({"start": "2010-01-01", "refit_every": 0}, InvariantError, "refit_every must be"),
        ({"start": "2010-01-01", "window": 1}, InvariantError, "window must be an integer >= 2"),
        ({"start": "not a date"}, InvariantError, "must be dates"),
    ],
)
def test_evaluator_refuses_bad_arguments(
    vti: pd.Series, arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        evaluate_vol_models(vti, {"garch": GarchVol()}, **arguments)  # type: ignore[arg-type]


def test_evaluator_refuses_missing_returns_and_bad_models(vti: pd.Series) -> None:
    gappy = vti.copy()
    gappy.iloc[500] = np.nan

    with pytest.raises(DataFormatError, match="1 missing or infinite values"):
        evaluate_vol_models(gappy, {"ewma": EWMAVol()}, start="2010-01-01")
    with pytest.raises(InvariantError, match="non-empty mapping"):
        evaluate_vol_models(vti, {}, start="2010-01-01")
    with pytest.raises(InvariantError, match="VolatilityForecaster"):
        evaluate_vol_models(vti, {"x": object()}, start="2010-01-01")  # type: ignore[dict-item]


def test_best_model_refuses_a_table_without_scores() -> None:
    with pytest.raises(DataFormatError, match="mean_qlike"):
        best_model(pd.DataFrame({"mse": [1.0]}, index=["a"]))
    with pytest.raises(DataFormatError, match="finite mean_qlike"):
        best_model(pd.DataFrame({"mean_qlike": [np.nan]}, index=["a"]))
