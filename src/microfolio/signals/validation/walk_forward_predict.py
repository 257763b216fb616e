"""Out-of-sample scores: refit a forecaster on each split's training dates, score its test dates.

:func:`walk_forward_predict` clones the forecaster (``sklearn.base.clone``: same parameters, no
learned state) for every split, so no split sees another's fit. Test dates of different splits
must not repeat. The result holds every out-of-sample score as one
:class:`~microfolio.signals.forecast.ForecastScores` and, per split, what was fitted and how the
scores did (the mean IC over the split's test dates, NaN where no label is realised yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sklearn.base import clone

from microfolio.errors import DataFormatError, InvariantError
from microfolio.features import FeatureFrame
from microfolio.signals.forecast import Forecaster, ForecastScores
from microfolio.signals.forecast._checks import check_features, check_labels
from microfolio.signals.validation._slicing import fit_on, predict_on
from microfolio.signals.validation.metrics import information_coefficient
from microfolio.signals.validation.split import Split

__all__ = ["SplitFit", "WalkForwardResult", "walk_forward_predict"]


@dataclass(frozen=True, slots=True)
class SplitFit:
    """What one split fitted and scored (``n_train`` is -1 for a forecaster that does not
    report ``n_train_``)."""

    split: int
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    n_train_dates: int
    n_train: int
    test_start: pd.Timestamp
    test_end: pd.Timestamp
    n_test: int
    ic: float


@dataclass(frozen=True, slots=True, eq=False)
class WalkForwardResult:
    """Every out-of-sample score (``forecast``) and the per-split fit information."""

    forecast: ForecastScores
    splits: tuple[SplitFit, ...]

    @property
    def scores(self) -> pd.Series:
        return self.forecast.scores

    def table(self) -> pd.DataFrame:
        """One row per split."""
        rows = [{name: getattr(fit, name) for name in SplitFit.__slots__} for fit in self.splits]
        return pd.DataFrame(rows).set_index("split")


def walk_forward_predict(
    forecaster: Forecaster,
    X: FeatureFrame,  # noqa: N803 (scikit-learn name)
    y: pd.Series,
    splits: Iterable[Split],
) -> WalkForwardResult:
    """Fit a clone of ``forecaster`` per split and score the split's test dates (see module)."""
    frame = check_features(X)
    index = frame.index
    assert isinstance(index, pd.MultiIndex)
    check_labels(y, index)
    parts: list[ForecastScores] = []
    fits: list[SplitFit] = []
    seen = pd.DatetimeIndex([])
    for number, (train, test) in enumerate(splits):
        if len(train) == 0 or len(test) == 0:
            raise InvariantError(f"split {number} has an empty train or test set")
        if seen.isin(test).any():
            raise InvariantError(f"split {number} tests dates an earlier split already tested")
        seen = pd.DatetimeIndex(seen.append(test))
        model: Forecaster = clone(forecaster)
        fitted = fit_on(model, X, y, train)
        scores = predict_on(fitted, X, test)
        parts.append(scores)
        fits.append(
            SplitFit(
                split=number,
                train_start=train[0],
                train_end=train[-1],
                n_train_dates=len(train),
                n_train=int(getattr(fitted, "n_train_", -1)),
                test_start=test[0],
                test_end=test[-1],
                n_test=len(scores),
                ic=information_coefficient(scores, y).mean,
            )
        )
    if not parts:
        raise DataFormatError("splits is empty: there is nothing to fit")
    parts = [p for p in parts if len(p)] or parts[:1]
    return WalkForwardResult(forecast=ForecastScores.concat(parts), splits=tuple(fits))
