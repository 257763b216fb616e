"""Model portfolios along the efficient frontier of asset classes, one per risk level.

A :class:`ModelFamily` turns what a :class:`~microfolio.data.MarketView` knows into one target
per risk level (0 = least risk, ``max_level`` = most), over asset classes; each class is then
held through its primary fund (:class:`~microfolio.advisor.asset_classes.AssetClasses`), the
other funds of the class being its tax-loss-harvesting replacements.

The method, at each refresh date (the first session of the month, or every session):

1. **Proxies.** Each class's returns are those of its proxy fund: the tradable fund with the
   most closes in the window (:meth:`AssetClasses.proxy`), so a long-lived replacement stands
   in for a primary fund that listed recently.
2. **Covariance.** Ledoit-Wolf shrinkage of the proxies' daily simple returns over the last
   ``lookback`` sessions (rows where every proxy has a return), annualised (x 252).
3. **Expected returns.** Equilibrium (reverse-optimised) returns ``pi = delta Sigma w_ref``
   from the reference weights, with the same annualised ``Sigma``: the excess returns over cash
   that make the reference portfolio optimal for risk aversion ``delta``. They are a neutral
   prior, not a forecast; a class that hedges the reference portfolio (bonds in a crisis) can
   get a ``pi`` at or below zero.
4. **Levels.** Under the class bounds and the cash weight: level 0 is the minimum-variance
   portfolio, level ``max_level`` the highest expected return the bounds allow (the top of the
   frontier: the best classes filled to their caps), and level ``k`` in between the highest
   return with volatility ``vol_0 + k / max_level * (vol_top - vol_0)``: evenly spaced in
   volatility, each solved exactly (the active-set path of :class:`TargetVolatility`; group
   limits send the solves to cvxpy instead).

Results are cached by refresh date, so a target is a pure function of the view's date: the
same ``as_of`` gives the same target whatever was asked before. Use one family per market.

The model data is versioned: ``advisor/models/<version>.json`` (``ModelFamily.load()`` reads
v1). A file with other numbers is a new version, never an edit. Its fields:

- ``version``: the id recorded on every target, e.g. ``"models-v1"``.
- ``classes``: asset class name (as in ``etf_universe.csv``) to ``lower`` and ``upper`` (bounds
  on the class's weight as a fraction of the whole account, cash included, ``0 <= lower <=
  upper <= 1``) and ``reference_weight`` (the class's weight in the reference portfolio of
  step 3, ``>= 0``, scaled to sum to one). The order is the order of the targets' weights.
- ``groups`` (optional, default none): group name to ``classes`` (a list of class names),
  ``lower`` and ``upper`` (floor and cap on their total weight, defaults 0 and 1).
- ``risk_aversion``: ``delta`` of step 3 (> 0).
- ``cash``: the cash weight of every level (in ``[0, 1)``); the classes share the rest.
- ``lookback``: the sessions of daily returns in the estimation window.
- ``min_lookback``: the fewest returns the window may have: a class's proxy needs
  ``min_lookback + 1`` sessions of closes, and the covariance ``min_lookback`` complete rows.
- ``refresh``: ``"monthly"`` (recompute on the first session of each month) or ``"daily"``.
- ``max_level``: the levels are ``0, 1, ..., max_level``.

The numbers of v1 are our own choice, not taken from any provider:

- Eight classes, each with a fund trading since 2005-02-25 (the start of the bundled data), so
  every class has a year of history well before the demo starts (2007-01-03): us_total_stock,
  intl_developed, emerging, real_estate, us_aggregate_bond, tips, treasury_short and
  corporate_bond. The eighth, corporate_bond (LQD, with VCIT as replacement), adds
  investment-grade credit, which the aggregate (mostly government and agency debt) holds only
  in part; it is the usual fourth bond sleeve of robo-advisors beside TIPS and treasuries.
- Bounds: no floors; equity caps us_total_stock 0.50, intl_developed 0.30, emerging 0.12,
  real_estate 0.10 (they sum to 1.02, so the top level is all equity but always holds all four
  equity classes); bond caps us_aggregate_bond 0.50, treasury_short 0.40, tips 0.25,
  corporate_bond 0.25 (so level 0 spreads over several bond classes instead of sitting in
  short treasuries).
- Reference weights: a rounded global market portfolio for a US investor, 61% stocks and 39%
  bonds: 0.36 / 0.17 / 0.05 / 0.03 for the equity classes above, 0.25 / 0.04 / 0.05 / 0.05
  for the bond classes.
- ``risk_aversion`` 2.5 (the world average of He & Litterman, 1999); ``cash`` 0.005 (a trading
  buffer); ``lookback`` 756 sessions (three years), ``min_lookback`` 252 (one year);
  ``refresh`` monthly; ``max_level`` 10.
- No groups: a group limit sends every solve to the cvxpy path, about ten times slower
  (measured: 0.3 s against 0.03 s per refresh date), and the class caps already shape the
  family.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from microfolio.advisor.asset_classes import AssetClasses
from microfolio.data import FIELDS, MarketView, load_universe
from microfolio.domain import TargetPortfolio
from microfolio.errors import (
    DataFormatError,
    InvariantError,
    MicrofolioError,
    NotFoundError,
)
from microfolio.estimate import EquilibriumReturns, LedoitWolf, returns_from_prices
from microfolio.optimize import Constraints, EfficientFrontier, MinVariance, TargetVolatility

__all__ = [
    "DEFAULT_MODELS",
    "ClassTarget",
    "ModelFamily",
    "ModelFamilyModel",
    "ModelSpec",
    "load_spec",
]

Floats = npt.NDArray[np.float64]

#: the model file ``ModelFamily.load()`` reads when given no path
DEFAULT_MODELS = "v1"

#: weights at or below this are left out of fund targets
_NEGLIGIBLE = 1e-12


# -- the model data -------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClassSpec(_Frozen):
    """One asset class: bounds on its weight and its reference weight."""

    lower: float = Field(ge=0.0, le=1.0)
    upper: float = Field(ge=0.0, le=1.0)
    reference_weight: float = Field(ge=0.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> ClassSpec:
        if self.lower > self.upper:
            raise ValueError(f"lower {self.lower} is above upper {self.upper}")
        return self


class GroupSpec(_Frozen):
    """A floor and a cap on the total weight of several classes."""

    classes: tuple[str, ...] = Field(min_length=1)
    lower: float = Field(default=0.0, ge=0.0, le=1.0)
    upper: float = Field(default=1.0, ge=0.0, le=1.0)


class ModelSpec(_Frozen):
    """The model data of one version (see the module docstring for every field)."""

    version: str = Field(min_length=1)
    classes: dict[str, ClassSpec] = Field(min_length=2)
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
    risk_aversion: float = Field(gt=0.0, allow_inf_nan=False)
    cash: float = Field(ge=0.0, lt=1.0)
    lookback: int = Field(ge=2)
    min_lookback: int = Field(ge=2)
    refresh: Literal["daily", "monthly"]
    max_level: int = Field(ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        if self.min_lookback > self.lookback:
            raise ValueError(f"min_lookback {self.min_lookback} is above lookback {self.lookback}")
        if not sum(c.reference_weight for c in self.classes.values()) > 0.0:
            raise ValueError("reference weights must not all be zero")
        for name, group in self.groups.items():
            unknown = [c for c in group.classes if c not in self.classes]
            if unknown:
                raise ValueError(f"group {name!r} names unknown classes: {', '.join(unknown)}")
        self.constraints().resolve(self.names)  # InfeasibleError (a ValueError) in words
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The asset classes, in file order."""
        return tuple(self.classes)

    @property
    def reference_weights(self) -> dict[str, float]:
        return {name: c.reference_weight for name, c in self.classes.items()}

    def constraints(self) -> Constraints:
        """The class bounds, groups and cash weight as optimiser constraints (tickers: classes)."""
        return Constraints(
            lower={name: c.lower for name, c in self.classes.items()},
            upper={name: c.upper for name, c in self.classes.items()},
            groups={name: g.classes for name, g in self.groups.items()},
            group_lower={name: g.lower for name, g in self.groups.items()},
            group_upper={name: g.upper for name, g in self.groups.items()},
            min_cash=self.cash,
        )


def load_spec(path: str | Path | None = None) -> ModelSpec:
    """Read model data: the shipped v1 when ``path`` is None; refused in one line naming the
    problem."""
    if path is None:
        name = f"{DEFAULT_MODELS}.json"
        text = (resources.files("microfolio.advisor") / "models" / name).read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"model file {name} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MicrofolioError(f"model file {name} cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MicrofolioError(
            f"model file {name} is not valid JSON: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise MicrofolioError(f"model file {name} is not valid: {_one_line(exc)}") from None


def _one_line(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "the file"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


# -- the result -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassTarget:
    """One risk level's target over asset classes, as of its refresh date.

    ``weights`` (by asset class) and ``cash`` sum to one. ``expected_return`` is the
    equilibrium (implied) annual excess return over cash of the weights, ``volatility`` their
    annual volatility, both from the moments of the refresh date; ``method`` is the optimiser
    ("min_variance", "target_vol" or "max_return"), ``fallback_chain`` its path, ``version`` the
    model data, ``proxies`` the fund whose returns stood for each class, and ``covariance`` the
    annualised class covariance the target was built with (the planner prices tracking error
    with it).
    """

    level: int
    as_of: date
    weights: Mapping[str, float]
    cash: float
    expected_return: float
    volatility: float
    method: str
    version: str
    fallback_chain: tuple[str, ...] = ()
    proxies: Mapping[str, str] = field(default_factory=dict)
    covariance: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        object.__setattr__(
            self,
            "covariance",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.covariance.items()}),
        )
        object.__setattr__(self, "proxies", MappingProxyType(dict(self.proxies)))
        if isinstance(self.level, bool) or not isinstance(self.level, int) or self.level < 0:
            raise InvariantError(f"level must be an integer >= 0, got {self.level!r}")
        for name, weight in self.weights.items():
            if not math.isfinite(weight) or weight < -1e-9:
                raise InvariantError(f"weight of {name} must be >= 0, got {weight}")
        if not math.isfinite(self.cash) or self.cash < 0.0:
            raise InvariantError(f"cash weight must be >= 0, got {self.cash}")
        total = math.fsum(self.weights.values()) + self.cash
        if abs(total - 1.0) > 1e-6:
            raise InvariantError(f"class weights plus cash must sum to 1, got {total:.8f}")
        if not math.isfinite(self.volatility) or self.volatility < 0.0:
            raise InvariantError(f"volatility must be >= 0, got {self.volatility}")
        if not math.isfinite(self.expected_return):
            raise InvariantError(f"expected_return must be finite, got {self.expected_return}")


# -- the family -----------------------------------------------------------------------------------


class ModelFamily:
    """One target per risk level along the efficient frontier of asset classes (see the module
    docstring for the method)."""

    def __init__(self, spec: ModelSpec, classes: AssetClasses) -> None:
        unknown = [c for c in spec.names if c not in classes.funds_by_class]
        if unknown:
            raise MicrofolioError(
                f"model {spec.version}: asset classes with no fund in the universe: "
                f"{', '.join(unknown)}"
            )
        self.spec = spec
        self.classes = classes
        self._constraints = spec.constraints()
        self._lower = np.array([c.lower for c in spec.classes.values()])
        self._upper = np.array([c.upper for c in spec.classes.values()])
        self._cache: dict[date, dict[int, ClassTarget]] = {}

    @classmethod
    def load(
        cls, path: str | Path | None = None, classes: AssetClasses | None = None
    ) -> ModelFamily:
        """The family of a model file (None: the shipped v1) over ``classes`` (None: the
        bundled universe)."""
        spec = load_spec(path)
        return cls(spec, AssetClasses.from_assets(load_universe()) if classes is None else classes)

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(range(self.spec.max_level + 1))

    @property
    def asset_classes(self) -> tuple[str, ...]:
        return self.spec.names

    def refresh_date(self, view: MarketView) -> date:
        """The session whose data the targets of ``view`` use: the first session of its month
        (monthly refresh) or its last session (daily)."""
        sessions = view.sessions
        last = sessions[-1]
        if self.spec.refresh == "daily":
            return date(last.year, last.month, last.day)
        first = sessions[int(sessions.searchsorted(last.replace(day=1), side="left"))]
        return date(first.year, first.month, first.day)

    def class_targets(self, view: MarketView) -> dict[int, ClassTarget]:
        """Every level's target, from the data of the refresh date (cached by that date)."""
        refresh = self.refresh_date(view)
        cached = self._cache.get(refresh)
        if cached is None:
            cached = self._compute(_view_at(view, refresh))
            self._cache[refresh] = cached
        return dict(cached)

    def target(self, level: int, view: MarketView) -> ClassTarget:
        """One level's target."""
        return self.class_targets(view)[_check_level(self, level)]

    def fund_target(
        self, level: int, view: MarketView, classes: AssetClasses | None = None
    ) -> TargetPortfolio:
        """One level's class weights on each class's primary fund at the refresh date (funds
        from ``classes``, None: the family's)."""
        target = self.target(level, view)
        funds = self.classes if classes is None else classes
        at = _view_at(view, target.as_of)
        weights = {
            funds.primary(name, at): weight
            for name, weight in target.weights.items()
            if weight > _NEGLIGIBLE
        }
        return TargetPortfolio(
            as_of=target.as_of,
            weights=weights,
            cash=target.cash,
            method=f"{target.version}:level-{level}:{target.method}",
            fallback_chain=target.fallback_chain,
        )

    # -- the computation ------------------------------------------------------------------------

    def _compute(self, view: MarketView) -> dict[int, ClassTarget]:
        spec, names = self.spec, self.spec.names
        as_of = view.as_of
        window = spec.lookback + 1  # closes: lookback returns
        proxies = {
            name: self.classes.proxy(name, view, lookback=window, min_history=spec.min_lookback + 1)
            for name in names
        }
        columns = view.tickers.get_indexer(pd.Index(list(proxies.values())))
        prices = pd.DataFrame(
            view.close.to_numpy(dtype=float)[-window:, columns],
            index=view.sessions[-window:],
            columns=list(names),
        )
        try:
            equilibrium = EquilibriumReturns(
                weights=spec.reference_weights,
                risk_aversion=spec.risk_aversion,
                cov_estimator=LedoitWolf(min_periods=spec.min_lookback),
            ).fit(returns_from_prices(prices))
        except DataFormatError as exc:
            raise MicrofolioError(f"model {self.version} on {as_of}: {exc}") from exc
        cov, mu = equilibrium.covariance_, equilibrium.mu_
        sigma, mean = cov.to_numpy(dtype=float), mu.to_numpy(dtype=float)
        covariance = {
            a: {b: float(sigma[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)
        }

        def make(level: int, weights: Floats, method: str, chain: tuple[str, ...]) -> ClassTarget:
            w = np.clip(weights, self._lower, self._upper)
            return ClassTarget(
                level=level,
                as_of=as_of,
                weights={name: float(x) for name, x in zip(names, w, strict=True)},
                cash=spec.cash,
                expected_return=float(mean @ w),
                volatility=_volatility(w, sigma),
                method=method,
                version=spec.version,
                fallback_chain=chain,
                proxies=proxies,
                covariance=covariance,
            )

        low = MinVariance(self._constraints).fit_moments(cov)
        low_weights = low.weights_.to_numpy(dtype=float)
        frontier = EfficientFrontier(n_points=2, constraints=self._constraints)
        frontier.fit_moments(cov, mu)
        table = frontier.frontier_
        top_weights = (
            table.iloc[-1][list(names)].to_numpy(dtype=float)
            if len(table)
            else frontier.weights_.to_numpy(dtype=float)
        )
        top = spec.max_level
        vol_low, vol_top = _volatility(low_weights, sigma), _volatility(top_weights, sigma)
        out = {0: make(0, low_weights, low.method, low.fallback_chain_)}
        for level in range(1, top):
            goal = vol_low + level / top * max(vol_top - vol_low, 0.0)
            point = TargetVolatility(goal, self._constraints).fit_moments(cov, mu)
            out[level] = make(
                level, point.weights_.to_numpy(dtype=float), point.method, point.fallback_chain_
            )
        out[top] = make(top, top_weights, "max_return", frontier.fallback_chain_)
        return out


class ModelFamilyModel:
    """One level of a :class:`ModelFamily` as a :class:`ModelPortfolio`: each class's weight on
    its primary fund (see :meth:`ModelFamily.fund_target`), cached by refresh date."""

    def __init__(
        self, family: ModelFamily, level: int, classes: AssetClasses | None = None
    ) -> None:
        self.family = family
        self.level = _check_level(family, level)
        self.classes = classes
        self._cache: dict[date, TargetPortfolio] = {}

    def target(self, view: MarketView) -> TargetPortfolio:
        key = self.family.refresh_date(view)
        cached = self._cache.get(key)
        if cached is None:
            cached = self.family.fund_target(self.level, view, self.classes)
            self._cache[key] = cached
        return cached


def _check_level(family: ModelFamily, level: int) -> int:
    if isinstance(level, bool) or level not in family.levels:
        raise NotFoundError(
            f"no risk level {level!r} in {family.version} (levels 0..{family.levels[-1]})"
        )
    return level


def _volatility(weights: Floats, sigma: Floats) -> float:
    return math.sqrt(max(float(weights @ sigma @ weights), 0.0))


def _view_at(view: MarketView, day: date) -> MarketView:
    """The part of ``view`` known at the close of ``day`` (a session of the view, or before
    its last): the first rows of the same arrays, no copy."""
    n = int(view.sessions.searchsorted(pd.Timestamp(day), side="right"))
    if n >= len(view):
        return view
    return MarketView(
        view.sessions[:n],
        view.tickers,
        {f: view.frame(f).to_numpy(dtype=float)[:n] for f in FIELDS},
    )
