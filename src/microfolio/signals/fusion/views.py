"""The fused views at a date, their uncertainties and where each came from.

:class:`FusedViews` holds Black-Litterman :class:`~microfolio.optimize.black_litterman.View`
objects (annual expected returns, no confidence: the uncertainty is explicit), ``omega`` (the
annual variance of each view, same order) and a :class:`ViewProvenance` per view (the source,
the tickers, the z, the calibration's slope and residual variance, the regime factor), plus the
sources that gave no views and why. Give it to the optimiser as
``BlackLitterman(views=fused.views, omega=fused.omega)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import pandas as pd

from microfolio.errors import InvariantError
from microfolio.optimize.black_litterman import View

__all__ = ["FRAME_COLUMNS", "FusedViews", "ViewKind", "ViewProvenance"]

ViewKind = Literal["absolute", "centred", "relative"]

#: the columns of :meth:`FusedViews.to_frame`, in order
FRAME_COLUMNS: tuple[str, ...] = (
    "view",
    "source",
    "kind",
    "ticker",
    "long",
    "short",
    "z",
    "slope",
    "intercept",
    "residual_variance",
    "horizon",
    "expected",
    "omega",
    "regime_factor",
    "ic",
    "ic_t_stat",
)


@dataclass(frozen=True, slots=True)
class ViewProvenance:
    """Where one view came from.

    ``ticker`` is the asset of an absolute or centred view ("" for a relative one); ``long``
    and ``short`` the sides of a relative view (``long == (ticker,)`` and ``short == ()``
    otherwise; a centred view's other side is the mean of every ticker in the view). ``z`` is
    the standardised score (centred: minus the mean z of the view's tickers; relative: mean z
    of the long side minus that of the short side); ``slope``, ``intercept`` and
    ``residual_variance`` are the calibration's, per ``horizon`` sessions
    (``residual_variance``: the ticker's, its specific part for a centred view, or the
    spread's for a relative view).
    """

    source: str
    kind: ViewKind
    ticker: str
    long: tuple[str, ...]
    short: tuple[str, ...]
    z: float
    slope: float
    intercept: float
    residual_variance: float
    horizon: int
    regime_factor: float
    ic: float
    ic_t_stat: float


@dataclass(frozen=True, slots=True, eq=False)
class FusedViews:
    """Views, their annual variances (``omega``) and provenance, in one order; ``skipped``
    maps each source that gave no views to the reason."""

    as_of: pd.Timestamp
    views: tuple[View, ...]
    omega: tuple[float, ...]
    provenance: tuple[ViewProvenance, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)
    regime: str | None = None
    regime_factor: float = 1.0

    def __post_init__(self) -> None:
        views, omega, provenance = tuple(self.views), tuple(self.omega), tuple(self.provenance)
        if not len(views) == len(omega) == len(provenance):
            raise InvariantError(
                f"views, omega and provenance must have one entry per view, got "
                f"{len(views)}, {len(omega)} and {len(provenance)}"
            )
        for k, (view, variance) in enumerate(zip(views, omega, strict=True), start=1):
            if not isinstance(view, View):
                raise InvariantError(f"view {k} must be a View, got {type(view).__name__}")
            if not (math.isfinite(variance) and variance > 0.0):
                raise InvariantError(f"omega of view {k} must be positive, got {variance!r}")
        if not (math.isfinite(self.regime_factor) and self.regime_factor > 0.0):
            raise InvariantError(f"regime_factor must be positive, got {self.regime_factor!r}")
        object.__setattr__(self, "views", views)
        object.__setattr__(self, "omega", tuple(float(v) for v in omega))
        object.__setattr__(self, "provenance", provenance)
        object.__setattr__(self, "skipped", MappingProxyType(dict(self.skipped)))

    def __len__(self) -> int:
        return len(self.views)

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources that gave at least one view, in order of first appearance."""
        return tuple(dict.fromkeys(p.source for p in self.provenance))

    def to_frame(self) -> pd.DataFrame:
        """One row per view (columns :data:`FRAME_COLUMNS`): the view in words, its numbers
        and its provenance; ``expected`` and ``omega`` are annual."""
        rows = [
            {
                "view": _describe(view, p),
                "source": p.source,
                "kind": p.kind,
                "ticker": p.ticker,
                "long": " ".join(p.long),
                "short": " ".join(p.short),
                "z": p.z,
                "slope": p.slope,
                "intercept": p.intercept,
                "residual_variance": p.residual_variance,
                "horizon": p.horizon,
                "expected": view.expected,
                "omega": variance,
                "regime_factor": p.regime_factor,
                "ic": p.ic,
                "ic_t_stat": p.ic_t_stat,
            }
            for view, variance, p in zip(self.views, self.omega, self.provenance, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def _describe(view: View, origin: ViewProvenance) -> str:
    """A view in words; a centred view names its ticker and the mean it is set against."""
    if origin.kind != "centred":
        return view.describe()
    return (
        f"{view.name}: {origin.ticker} beats the mean of {len(view.assets)} tickers by "
        f"{100 * view.expected:.2f}%"
    )
