"""What a feature set computes: its validated parameters, feature names and a canonical form.

A :class:`FeatureSpec` is the frozen, checked form of a :class:`~microfolio.features.FeatureSet`'s
parameters. It names every output column and serialises to canonical JSON, which a
:class:`~microfolio.features.FeatureFrame` keeps as its ``spec`` (and hashes into its version).

Names: ``ret_{w}``, ``mom_{lookback}_{skip}``, ``rev_{w}``, ``vol_{w}``, ``downvol_{w}``,
``drawdown_{w}``, ``volume_chg_{w}``, ``dollar_volume_chg_{w}``, ``ma_gap_{w}`` per ticker;
``rank_{feature}`` (cross-sectional percentile rank); ``mkt_ret_{w}``, ``mkt_vol_{w}`` (market
context); ``class_{feature}`` (mean over the ticker's asset class).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from microfolio.errors import InvariantError, NotFoundError
from microfolio.features._checks import (
    check_classes,
    check_names,
    check_pairs,
    check_windows,
)

__all__ = ["Feature", "FeatureKind", "FeatureSpec"]

FeatureKind = Literal[
    "return",
    "momentum",
    "reversal",
    "volatility",
    "downside_volatility",
    "drawdown",
    "volume_change",
    "dollar_volume_change",
    "ma_gap",
]


@dataclass(frozen=True, slots=True)
class Feature:
    """One per-ticker feature: its column name, what it computes and its window(s)."""

    name: str
    kind: FeatureKind
    windows: tuple[int, ...]


#: (parameter, kind, name prefix, smallest window) of the single-window per-ticker families
_FAMILIES: tuple[tuple[str, FeatureKind, str, int], ...] = (
    ("return_windows", "return", "ret", 1),
    ("reversal_windows", "reversal", "rev", 1),
    ("vol_windows", "volatility", "vol", 2),
    ("downside_windows", "downside_volatility", "downvol", 2),
    ("drawdown_windows", "drawdown", "drawdown", 2),
    ("volume_windows", "volume_change", "volume_chg", 1),
    ("volume_windows", "dollar_volume_change", "dollar_volume_chg", 1),
    ("ma_windows", "ma_gap", "ma_gap", 2),
)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Validated feature-set parameters (see :class:`~microfolio.features.FeatureSet`).

    Raises ``InvariantError`` for a bad window or an empty set and ``NotFoundError`` when
    ``rank_features`` (or, with ``asset_classes``, ``class_features``) name a feature the set
    does not compute: change them together with the windows.
    """

    return_windows: tuple[int, ...] = (5, 21, 63, 126, 252)
    momentum: tuple[tuple[int, int], ...] = ((252, 21),)
    reversal_windows: tuple[int, ...] = (5,)
    vol_windows: tuple[int, ...] = (21, 63)
    downside_windows: tuple[int, ...] = (63,)
    drawdown_windows: tuple[int, ...] = (252,)
    volume_windows: tuple[int, ...] = (21,)
    ma_windows: tuple[int, ...] = (50, 200)
    rank_features: tuple[str, ...] = ("ret_21", "mom_252_21", "vol_63")
    market: str | None = None
    market_windows: tuple[int, ...] = (21, 63)
    asset_classes: tuple[tuple[str, str], ...] | None = None
    class_features: tuple[str, ...] = ("ret_21",)
    dropna: bool = False

    def __post_init__(self) -> None:
        for parameter, _kind, _prefix, minimum in _FAMILIES:
            self._normalise(parameter, check_windows(parameter, getattr(self, parameter), minimum))
        self._normalise("momentum", check_pairs("momentum", self.momentum))
        self._normalise("market_windows", check_windows("market_windows", self.market_windows, 2))
        self._normalise("rank_features", check_names("rank_features", self.rank_features))
        self._normalise("class_features", check_names("class_features", self.class_features))
        if self.market is not None and (not isinstance(self.market, str) or not self.market):
            raise InvariantError(f"market must be a ticker or None, got {self.market!r}")
        if self.asset_classes is not None:
            pairs = self.asset_classes
            if not isinstance(pairs, tuple | list) or any(
                not isinstance(p, tuple | list) or len(p) != 2 for p in pairs
            ):
                raise InvariantError(f"asset_classes must be (ticker, class) pairs, got {pairs!r}")
            self._normalise("asset_classes", check_classes("asset_classes", dict(pairs)))
        if not isinstance(self.dropna, bool):
            raise InvariantError(f"dropna must be True or False, got {self.dropna!r}")
        known = {f.name for f in self.ticker_features}
        checked = ("rank_features", "class_features") if self.asset_classes else ("rank_features",)
        for parameter in checked:
            unknown = [n for n in getattr(self, parameter) if n not in known]
            if unknown:
                raise NotFoundError(
                    f"{parameter} names {unknown[0]!r}, which is not a per-ticker feature of "
                    f"this set ({', '.join(sorted(known)) or 'none'})"
                )
        if not self.names:
            raise InvariantError("the feature set computes no features: every window is empty")

    def _normalise(self, parameter: str, value: object) -> None:
        object.__setattr__(self, parameter, value)

    @property
    def ticker_features(self) -> tuple[Feature, ...]:
        """The per-ticker time-series features, in output order."""
        out: list[Feature] = []
        for parameter, kind, prefix, _minimum in _FAMILIES:
            out.extend(Feature(f"{prefix}_{w}", kind, (w,)) for w in getattr(self, parameter))
            if kind == "return":  # momentum sits next to the returns
                out.extend(
                    Feature(f"mom_{lookback}_{skip}", "momentum", (lookback, skip))
                    for lookback, skip in self.momentum
                )
        return tuple(out)

    @property
    def rank_names(self) -> tuple[str, ...]:
        return tuple(f"rank_{n}" for n in self.rank_features)

    @property
    def market_names(self) -> tuple[str, ...]:
        return tuple(name for w in self.market_windows for name in (f"mkt_ret_{w}", f"mkt_vol_{w}"))

    @property
    def class_names(self) -> tuple[str, ...]:
        if self.asset_classes is None:
            return ()
        return tuple(f"class_{n}" for n in self.class_features)

    @property
    def names(self) -> tuple[str, ...]:
        """Every output column, in order."""
        return (
            *(f.name for f in self.ticker_features),
            *self.rank_names,
            *self.market_names,
            *self.class_names,
        )

    def to_json(self) -> str:
        """Canonical JSON of the parameters (sorted keys, no spaces): equal specs, equal text."""
        return json.dumps(
            {"kind": "FeatureSet", **dataclasses.asdict(self)},
            sort_keys=True,
            separators=(",", ":"),
        )
