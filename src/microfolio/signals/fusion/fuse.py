"""Several calibrated sources at one date into Black-Litterman views with explicit omega.

For each :class:`~microfolio.signals.fusion.SignalSource` whose calibration is usable, the
scores of the date are standardised across its tickers (``z``, as in the calibration) and:

* ``kind="absolute"``: one view per ticker, ``mu_i = A (a + b z_i)`` with variance
  ``omega_i = A s_i^2 f``;
* ``kind="centred"``: one view per ticker on its return against the equal-weighted mean of
  the view's tickers, ``mu_i - mean(mu) = A b (z_i - mean(z))``, with variance
  ``A u_i^2 f`` (``u_i^2`` the ticker's specific residual variance: net of the per-date
  common error; the small terms of the mean's own error are left out);
* ``kind="relative"``: one view per source, the top ``quantile`` of z (equal weights) beats the
  bottom one by ``A b (mean z_top - mean z_bottom)`` with variance ``A s_spread^2 f``
  (measured on the history's whole cross-sections: on a smaller ``universe`` the sides hold
  fewer tickers and the spread's real error is somewhat larger);

where ``a``, ``b``, ``s_i^2`` (the ticker's residual variance), ``s_spread^2`` and the quantile
come from the source's own calibration, ``A = 252 / horizon`` and ``f`` the regime factor.

**Absolute or centred.** A score standardised per date says how tickers differ, not where the
market goes. Absolute views ``A (a + b z_i)`` also claim a level (0, or the history's mean label
with ``fit_intercept``), and as omega is diagonal, ``n`` views whose errors share the date's
common error (the calibration's ``common_variance_``) count as ``n`` independent pieces of
evidence about that level. Centred views claim only the differences and leave the level to the
prior (the equal-weighted mean exactly so when every asset has the same covariance with the
equal-weighted portfolio; otherwise Black-Litterman spreads the tilt by covariance, as for any
relative view). Prefer centred views for cross-sectional scores and absolute views for a source
that forecasts each asset's own return.

**Several sources** on one ticker are several views: Black-Litterman weighs them by precision
``1 / omega``, so a source whose out-of-sample errors were large gets a wide omega and cannot
dominate a precise one. A source whose calibration is not usable (``reason_``), whose scores do
not differ across tickers on the date, or that names no ticker of ``universe`` gives no view:
``FusedViews.skipped`` says why.

**Regime.** ``regime_scale`` maps a :class:`~microfolio.signals.regime.Regime` to a factor
``f`` that multiplies the omega of every view fused on a date in that regime (for example
``{Regime.STRESSED: 4.0}``: in stress every view's standard error doubles, as calibrations
fitted mostly on calmer dates overstate precision then); other regimes get ``f = 1``. The
caller passes the date's regime (``detector.regimes(returns).loc[as_of]``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from microfolio.errors import InvariantError
from microfolio.estimate import TRADING_DAYS
from microfolio.features import INDEX_NAMES
from microfolio.optimize.black_litterman import View
from microfolio.signals.fusion._checks import as_timestamp
from microfolio.signals.fusion._sides import quantile_sides
from microfolio.signals.fusion.calibration import Calibration
from microfolio.signals.fusion.source import SignalSource
from microfolio.signals.fusion.views import FusedViews, ViewKind, ViewProvenance
from microfolio.signals.regime import Regime

__all__ = ["ViewFusion", "standardise"]

#: a cross-sectional standard deviation below this is no spread (as in the calibration)
_TINY = 1e-12


def standardise(scores: pd.Series) -> pd.Series:
    """Scores of one date z-scored across tickers (population std); all zeros if constant."""
    values = scores.to_numpy(dtype=np.float64)
    centred = values - values.mean()
    scale = float(np.sqrt(np.mean(centred * centred)))
    z = centred / scale if scale > _TINY else np.zeros_like(centred)
    return pd.Series(z, index=scores.index, name="z")


@dataclass(frozen=True)
class ViewFusion:
    """Fuse calibrated sources into views (see the module).

    ``kind``: ``"centred"`` (the default: a view per ticker against the mean of the source's
    tickers; see the module for why), ``"absolute"`` (a view per ticker per source) or ``"relative"`` (one top minus bottom quantile
    view per source). ``regime_scale``: omega factors by regime (positive;
    regimes left out get 1).
    """

    kind: ViewKind = "centred"
    regime_scale: Mapping[Regime, float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in _BUILDERS:
            raise InvariantError(f"kind must be one of {', '.join(_BUILDERS)}; got {self.kind!r}")
        given = self.regime_scale
        if given is None:
            return
        if not isinstance(given, Mapping):
            raise InvariantError(f"regime_scale must map regimes to factors, got {given!r}")
        scale: dict[Regime, float] = {}
        for key, factor in given.items():
            regime = _regime("regime_scale key", key)
            if (
                isinstance(factor, bool)
                or not isinstance(factor, int | float)
                or not (math.isfinite(factor) and factor > 0.0)
            ):
                raise InvariantError(
                    f"regime_scale[{regime.value}] must be a positive number, got {factor!r}"
                )
            scale[regime] = float(factor)
        object.__setattr__(self, "regime_scale", MappingProxyType(scale))

    def factor(self, regime: Regime | str | None) -> float:
        """The omega factor on a date in ``regime`` (1 without a regime or a scale for it)."""
        if regime is None or self.regime_scale is None:
            return 1.0
        return self.regime_scale.get(_regime("regime", regime), 1.0)

    def fuse(
        self,
        sources: Sequence[SignalSource],
        as_of: object,
        *,
        regime: Regime | str | None = None,
        universe: Iterable[str] | None = None,
    ) -> FusedViews:
        """The views of ``sources`` on ``as_of`` (each source's scores must be of that date);
        with ``universe``, only views on its tickers (z is still taken across all the source's
        tickers, as in its calibration)."""
        day = as_timestamp("as_of", as_of)
        items = _check_sources(sources, day)
        factor = self.factor(regime)
        allowed = None if universe is None else {str(t) for t in universe}
        views: list[View] = []
        omega: list[float] = []
        provenance: list[ViewProvenance] = []
        skipped: dict[str, str] = {}
        for source in items:
            reason = _no_view_reason(source, allowed)
            if not reason:
                z = standardise(source.scores)
                if allowed is not None:
                    z = z[z.index.isin(allowed)]
                built = _BUILDERS[self.kind](source.name, source.calibration, z, factor)
                if isinstance(built, str):
                    reason = built
                else:
                    for view, variance, origin in built:
                        views.append(view)
                        omega.append(variance)
                        provenance.append(origin)
            if reason:
                skipped[source.name] = reason
        label = None if regime is None else _regime("regime", regime).value
        return FusedViews(
            day, tuple(views), tuple(omega), tuple(provenance), skipped, label, factor
        )


Built = list[tuple[View, float, ViewProvenance]]


def _absolute(name: str, calibration: Calibration, z: pd.Series, factor: float) -> Built | str:
    annual = TRADING_DAYS / int(calibration.horizon)
    variances = calibration.variance(z.index).to_numpy(dtype=np.float64)
    out: Built = []
    for ticker, zi, s2 in zip(z.index, z.to_numpy(dtype=np.float64), variances, strict=True):
        expected = annual * (calibration.intercept_ + calibration.slope_ * float(zi))
        view = View.absolute(str(ticker), expected, name=f"{name}: {ticker}")
        origin = _provenance(
            name, "absolute", ((str(ticker),), ()), float(zi), float(s2), calibration, factor
        )
        out.append((view, annual * float(s2) * factor, origin))
    return out


def _centred(name: str, calibration: Calibration, z: pd.Series, factor: float) -> Built | str:
    if len(z) < 2:
        return "a centred view needs at least two tickers of the universe"
    annual = TRADING_DAYS / int(calibration.horizon)
    variances = calibration.variance(z.index, specific=True).to_numpy(dtype=np.float64)
    tickers = [str(t) for t in z.index]
    gaps = z.to_numpy(dtype=np.float64) - float(z.mean())
    share = 1.0 / len(tickers)
    out: Built = []
    for ticker, gap, s2 in zip(tickers, gaps, variances, strict=True):
        assets = dict.fromkeys(tickers, -share)
        assets[ticker] += 1.0
        expected = annual * calibration.slope_ * float(gap)
        view = View(assets, expected, name=f"{name}: {ticker} vs mean")
        origin = _provenance(
            name, "centred", ((ticker,), ()), float(gap), float(s2), calibration, factor
        )
        out.append((view, annual * float(s2) * factor, origin))
    return out


def _relative(name: str, calibration: Calibration, z: pd.Series, factor: float) -> Built | str:
    annual = TRADING_DAYS / int(calibration.horizon)
    s2 = float(calibration.spread_variance_)
    if not (math.isfinite(s2) and s2 > 0.0):
        return f"the history has no top-minus-bottom spread to measure its error ({s2!r})"
    long_form = pd.Series(
        z.to_numpy(), index=pd.MultiIndex.from_product([[0], z.index], names=INDEX_NAMES)
    )
    top, bottom = quantile_sides(long_form, float(calibration.quantile))
    if not top.any():
        return "too few tickers with differing scores for a top-minus-bottom view"
    longs = tuple(str(t) for t in z.index[top])
    shorts = tuple(str(t) for t in z.index[bottom])
    gap = float(z[top].mean() - z[bottom].mean())
    expected = annual * calibration.slope_ * gap
    view = View.relative(list(longs), list(shorts), expected, name=f"{name}: top-bottom")
    origin = _provenance(name, "relative", (longs, shorts), gap, s2, calibration, factor)
    return [(view, annual * s2 * factor, origin)]


_BUILDERS = {"absolute": _absolute, "centred": _centred, "relative": _relative}


def _provenance(
    name: str,
    kind: ViewKind,
    sides: tuple[tuple[str, ...], tuple[str, ...]],
    z: float,
    s2: float,
    calibration: Calibration,
    factor: float,
) -> ViewProvenance:
    long, short = sides
    return ViewProvenance(
        source=name,
        kind=kind,
        ticker="" if kind == "relative" else long[0],
        long=long,
        short=short,
        z=z,
        slope=float(calibration.slope_),
        intercept=float(calibration.intercept_),
        residual_variance=s2,
        horizon=int(calibration.horizon),
        regime_factor=factor,
        ic=float(calibration.ic_),
        ic_t_stat=float(calibration.ic_t_stat_),
    )


def _no_view_reason(source: SignalSource, allowed: set[str] | None) -> str:
    if not source.calibration.usable_:
        return str(source.calibration.reason_)
    if len(source.scores) < 2 or not float(standardise(source.scores).abs().max()) > 0.0:
        return f"scores on {source.as_of.date()} do not differ across tickers"
    if allowed is not None and not source.scores.index.isin(allowed).any():
        return "none of its tickers is in the universe"
    return ""


def _check_sources(sources: Sequence[SignalSource], day: pd.Timestamp) -> list[SignalSource]:
    if isinstance(sources, SignalSource) or not isinstance(sources, Sequence):
        raise InvariantError(f"sources must be a sequence of SignalSource, got {sources!r}")
    items = list(sources)
    if not items:
        raise InvariantError("sources must hold at least one SignalSource")
    seen: set[str] = set()
    for k, source in enumerate(items, start=1):
        if not isinstance(source, SignalSource):
            raise InvariantError(f"source {k} must be a SignalSource, got {type(source).__name__}")
        if source.name in seen:
            raise InvariantError(f"source name {source.name!r} appears twice")
        seen.add(source.name)
        if source.as_of != day:
            raise InvariantError(
                f"source {source.name}: scores are of {source.as_of.date()}, not {day.date()}"
            )
    return items


def _regime(name: str, value: object) -> Regime:
    if isinstance(value, str) and value in {r.value for r in Regime}:
        return Regime(value)
    choices = ", ".join(r.value for r in Regime)
    raise InvariantError(f"{name} must be one of {choices}; got {value!r}")
