"""Black-Litterman: equilibrium returns blended with views; the posterior feeds an optimiser.

Prior (Black and Litterman 1992; He and Litterman 1999): the excess returns that make the market
portfolio optimal for a mean-variance investor with risk aversion ``delta``,
``pi = delta * Sigma @ w_mkt`` (``w_mkt`` given, or equal weights).

Views: ``P mu = q + e, e ~ N(0, Omega)``, one row of ``P`` per view (a :class:`View`). The
posterior (He and Litterman 1999, the "Black-Litterman Model in Detail" notation):

    mu_BL    = pi + tau Sigma P' (P tau Sigma P' + Omega)^-1 (q - P pi)
    M        = tau Sigma - tau Sigma P' (P tau Sigma P' + Omega)^-1 P tau Sigma
    Sigma_BL = Sigma + M

View uncertainty ``Omega`` (diagonal), per view ``k`` with row ``p_k``:

- an explicit ``omega`` (variances, or a full matrix) when given;
- else, for a view with a ``confidence`` ``C`` in [0, 1], Idzorek's (2005) method in closed form:
  ``omega_k = (1 - C) / C * p_k tau Sigma p_k'``. Idzorek asks for the ``omega_k`` that moves the
  unconstrained max-utility weights ``(delta Sigma)^-1 mu`` a fraction ``C`` of the way from the
  market weights to the weights of the same view held with certainty. With one view that tilt is
  ``(w_100 - w_mkt) * p tau Sigma p' / (p tau Sigma p' + omega)``, a scalar multiple of the full
  tilt, so his least-squares fit is met exactly by this ``omega_k`` (no numerical search). ``C =
  1`` gives ``omega_k = 0`` (the view holds exactly in the posterior), ``C = 0`` drops the view;
- else (no confidence) He and Litterman's ``omega_k = p_k tau Sigma p_k'`` (the same as ``C =
  0.5``).

Returns are annual and total: absolute views and the prior include ``risk_free_rate`` (the prior
is ``risk_free_rate + pi``); relative views are differences, where it cancels.

The posterior moments go to ``optimizer.fit_moments(Sigma_BL, mu_BL)`` (default: max Sharpe with
the same risk-free rate), whose weights, cash and fallback chain become this model's.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.linalg
from sklearn.base import clone

from microfolio.errors import (
    DataFormatError,
    InvariantError,
    NotFoundError,
)
from microfolio.estimate import CovarianceEstimator
from microfolio.optimize.base import BaseOptimizer, Solution
from microfolio.optimize.mean_variance import MaxSharpe

__all__ = ["BlackLitterman", "View", "posterior", "views_from_file"]

Floats = npt.NDArray[np.float64]


def _percent(value: float) -> str:
    return f"{100 * value:.2f}%"


def _side(names: str | Sequence[str], sign: float, what: str) -> dict[str, float]:
    tickers = [names] if isinstance(names, str) else list(names)
    if not tickers or any(not isinstance(t, str) or not t.strip() for t in tickers):
        raise InvariantError(f"{what} must be a ticker or a non-empty list of tickers")
    return {t.strip(): sign / len(tickers) for t in tickers}


@dataclass(frozen=True, slots=True)
class View:
    """One view: ``sum_i assets[i] * mu_i = expected`` (annual), held with ``confidence``.

    - ``assets``: the view's row of the picking matrix P by ticker, e.g. ``{"VTI": 1}`` (an
      absolute view) or ``{"VTI": 1, "AGG": -1}`` (a relative view: VTI beats AGG).
    - ``expected``: the annual return (absolute) or return difference (relative), as a
      fraction: 0.06 is 6%.
    - ``confidence``: in [0, 1] (Idzorek: 1 holds the view exactly, 0 ignores it), or None for
      He and Litterman's default uncertainty (or an explicit ``omega`` on the model).
    - ``name``: an optional label for messages.
    """

    assets: Mapping[str, float]
    expected: float
    confidence: float | None = None
    name: str = field(default="")

    def __post_init__(self) -> None:
        given: object = self.assets
        if not isinstance(given, Mapping):
            raise InvariantError(
                f"view assets must be a mapping of ticker to weight, got {self.assets!r}"
            )
        row = {str(t): float(w) for t, w in self.assets.items() if float(w) != 0.0}
        if not row:
            raise InvariantError(f"view {self.name or self.expected!r} names no asset")
        bad = [t for t, w in row.items() if not math.isfinite(w)]
        if bad:
            raise InvariantError(f"view weights must be finite (bad: {', '.join(bad)})")
        object.__setattr__(self, "assets", MappingProxyType(row))
        if not math.isfinite(self.expected):
            raise InvariantError(f"view expected return must be finite, got {self.expected}")
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise InvariantError(f"view confidence must be in [0, 1], got {self.confidence}")

    def __reduce__(self) -> tuple[type[View], tuple[dict[str, float], float, float | None, str]]:
        # the read-only mapping does not pickle; a copy (sklearn's clone) rebuilds the view
        return (View, (dict(self.assets), self.expected, self.confidence, self.name))

    @classmethod
    def absolute(
        cls, asset: str, expected: float, confidence: float | None = None, name: str = ""
    ) -> View:
        """``asset`` returns ``expected`` a year."""
        return cls(_side(asset, 1.0, "asset"), expected, confidence, name)

    @classmethod
    def relative(
        cls,
        long: str | Sequence[str],
        short: str | Sequence[str],
        expected: float,
        confidence: float | None = None,
        name: str = "",
    ) -> View:
        """``long`` outperforms ``short`` by ``expected`` a year; a list of tickers on a side
        is equally weighted within it."""
        row = _side(long, 1.0, "long")
        for ticker, w in _side(short, -1.0, "short").items():
            if ticker in row:
                raise InvariantError(f"{ticker} is on both sides of a relative view")
            row[ticker] = w
        return cls(row, expected, confidence, name)

    @property
    def is_relative(self) -> bool:
        return abs(sum(self.assets.values())) < 1e-12

    def describe(self) -> str:
        """In words: "VTI returns 6.00%", "VTI outperforms AGG by 2.00%"."""
        longs = [t for t, w in self.assets.items() if w > 0]
        shorts = [t for t, w in self.assets.items() if w < 0]
        if len(self.assets) == 1 and next(iter(self.assets.values())) == 1.0:
            text = f"{longs[0]} returns {_percent(self.expected)}"
        elif self.is_relative and len(set(self.assets.values())) <= 2:
            text = f"{'+'.join(longs)} outperforms {'+'.join(shorts)} by {_percent(self.expected)}"
        else:
            terms = " ".join(f"{w:+g} {t}" for t, w in self.assets.items())
            text = f"{terms} = {_percent(self.expected)}"
        if self.confidence is not None:
            text += f" ({100 * self.confidence:g}% confident)"
        return f"{self.name}: {text}" if self.name else text


def posterior(
    cov: Floats,
    prior: Floats,
    picking: Floats,
    q: Floats,
    omega: Floats,
    tau: float,
) -> tuple[Floats, Floats]:
    """The Black-Litterman posterior mean and covariance (He and Litterman 1999).

    ``omega`` is the k x k view covariance (zero rows allowed: views held exactly). With no
    views the posterior is the prior and ``(1 + tau) Sigma``.
    """
    scaled = (1.0 + tau) * cov
    if picking.shape[0] == 0:
        return prior.copy(), scaled
    tau_sigma_pt = tau * (picking @ cov).T  # tau Sigma P' (Sigma symmetric), n x k
    a = picking @ tau_sigma_pt + omega
    a = (a + a.T) / 2.0
    scale = float(np.max(np.abs(np.diag(a)))) or 1.0
    singular = InvariantError(
        "the views are redundant or contradictory at full confidence (P tau Sigma P' + "
        "Omega is singular): lower a confidence or drop a view"
    )
    if np.linalg.cond(a / scale) > 1e12:
        raise singular
    try:
        factor = np.linalg.cholesky(a)  # A = L L'
    except np.linalg.LinAlgError:
        raise singular from None
    # with X = tau Sigma P' L^-T: the gain tau Sigma P' A^-1 is X L^-1, and the update
    # tau Sigma P' A^-1 P tau Sigma is X X' (symmetric by construction)
    x = scipy.linalg.solve_triangular(factor, tau_sigma_pt.T, lower=True).T
    z = scipy.linalg.solve_triangular(factor, q - picking @ prior, lower=True)
    mu: Floats = prior + x @ z
    scaled -= x @ x.T
    return mu, scaled


class BlackLitterman(BaseOptimizer):
    """Black-Litterman posterior, then any mean-variance optimiser on it.

    Parameters
    ----------
    views:
        a sequence of :class:`View` (see :func:`views_from_file` for a file format).
    tau:
        the scale of the uncertainty of the prior mean (``tau * Sigma``).
    risk_aversion:
        ``delta`` in ``pi = delta * Sigma @ w_mkt``.
    market_weights:
        by ticker (tickers left out get 0), normalised to sum to one; None means equal weights.
    omega:
        the view uncertainty: k variances (a diagonal) or a k x k matrix, in the views' order;
        None derives it from each view's confidence (Idzorek) or, without one, as
        ``p tau Sigma p'``. Views may not carry confidences when ``omega`` is given.
    optimizer:
        any optimiser with ``fit_moments`` (it is cloned); None means
        ``MaxSharpe(risk_free_rate=risk_free_rate)``.
    risk_free_rate:
        annual; added to the prior and to absolute views' excess returns (module docstring).
    cov_estimator:
        the prior covariance from returns; None means the sample covariance.

    Fitted attributes, beyond :class:`BaseOptimizer`'s (``mu_`` and ``covariance_`` are the
    posterior's, so ``explain()`` speaks of them): ``prior_`` (Series, ``rf + pi``),
    ``posterior_mu_`` (Series), ``posterior_cov_`` (DataFrame), ``omega_`` (DataFrame, the view
    covariance used), ``views_`` (the views used: confidence-0 views dropped), ``optimizer_``
    (the fitted optimiser).
    """

    needs_mu: ClassVar[bool] = False
    method: ClassVar[str] = "black_litterman"

    prior_: pd.Series
    posterior_mu_: pd.Series
    posterior_cov_: pd.DataFrame
    omega_: pd.DataFrame
    views_: tuple[View, ...]
    optimizer_: BaseOptimizer

    def __init__(
        self,
        views: Sequence[View] = (),
        tau: float = 0.05,
        risk_aversion: float = 2.5,
        market_weights: Mapping[str, float] | None = None,
        omega: Floats | Sequence[float] | Sequence[Sequence[float]] | None = None,
        optimizer: BaseOptimizer | None = None,
        risk_free_rate: float = 0.0,
        cov_estimator: CovarianceEstimator | None = None,
    ) -> None:
        self.views = views
        self.tau = tau
        self.risk_aversion = risk_aversion
        self.market_weights = market_weights
        self.omega = omega
        self.optimizer = optimizer
        self.risk_free_rate = risk_free_rate
        self.cov_estimator = cov_estimator

    # -- the model --------------------------------------------------------------------------

    def _market(self, tickers: list[str]) -> Floats:
        n = len(tickers)
        if self.market_weights is None:
            return np.full(n, 1.0 / n)
        given = {str(t): float(w) for t, w in self.market_weights.items()}
        unknown = sorted(set(given) - set(tickers))
        if unknown:
            raise NotFoundError(f"market_weights name unknown tickers: {', '.join(unknown)}")
        w = np.array([given.get(t, 0.0) for t in tickers])
        if not np.isfinite(w).all() or np.any(w < 0) or not w.sum() > 0:
            raise InvariantError("market_weights must be finite, >= 0 and not all zero")
        out: Floats = w / w.sum()
        return out

    def _picking(self, tickers: list[str]) -> tuple[Floats, Floats, tuple[View, ...]]:
        views = tuple(self.views)
        for k, view in enumerate(views, start=1):
            if not isinstance(view, View):
                raise InvariantError(f"view {k} must be a View, got {type(view).__name__}")
        index = {t: i for i, t in enumerate(tickers)}
        picking = np.zeros((len(views), len(tickers)))
        for k, view in enumerate(views):
            unknown = [t for t in view.assets if t not in index]
            if unknown:
                raise NotFoundError(
                    f"view {k + 1} ({view.describe()}) names {', '.join(unknown)}, not in the "
                    f"universe of {len(tickers)} assets"
                )
            for ticker, w in view.assets.items():
                picking[k, index[ticker]] = w
        q = np.array([v.expected for v in views], dtype=float)
        return picking, q, views

    def _omega(self, cov: Floats, picking: Floats, views: tuple[View, ...]) -> Floats:
        k = len(views)
        base = self.tau * np.sum((picking @ cov) * picking, axis=1)  # p tau Sigma p'
        if self.omega is not None:
            if any(v.confidence is not None for v in views):
                raise InvariantError("give either omega or view confidences, not both")
            given = np.asarray(self.omega, dtype=float)
            if given.shape == (k,):
                given = np.diag(given)
            if given.shape != (k, k):
                raise InvariantError(
                    f"omega must be {k} variances or a {k} x {k} matrix, got shape {given.shape}"
                )
            if not np.allclose(given, given.T) or np.any(np.diag(given) < 0):
                raise InvariantError("omega must be symmetric with non-negative variances")
            return given
        variances = base.copy()
        for i, view in enumerate(views):
            if view.confidence is not None:
                c = view.confidence
                variances[i] = math.inf if c == 0 else (1.0 - c) / c * base[i]
        return np.diag(variances)

    def fit_moments(self, cov: pd.DataFrame, mu: pd.Series | None = None) -> Self:
        """Solve from a given prior covariance (``mu`` is not used: the prior is the market's)."""
        super().fit_moments(cov, mu)
        self.mu_ = self.posterior_mu_
        self.covariance_ = self.posterior_cov_
        return self

    def _solve(self, mu: Floats | None, cov: Floats, tickers: list[str]) -> Solution:
        if not self.tau > 0:
            raise InvariantError(f"tau must be positive, got {self.tau}")
        if not self.risk_aversion > 0:
            raise InvariantError(f"risk_aversion must be positive, got {self.risk_aversion}")
        rf = float(self.risk_free_rate)
        w_mkt = self._market(tickers)
        pi = self.risk_aversion * (cov @ w_mkt)
        picking, q, views = self._picking(tickers)
        omega = self._omega(cov, picking, views)
        labels = [v.name or f"view {i + 1}" for i, v in enumerate(views)]
        # views held with no confidence (infinite variance) carry no information: drop them
        keep = np.isfinite(np.diag(omega))
        picking, q, omega = picking[keep], q[keep], omega[np.ix_(keep, keep)]
        views = tuple(v for v, kept in zip(views, keep, strict=True) if kept)
        labels = [label for label, kept in zip(labels, keep, strict=True) if kept]
        q_excess = q - rf * picking.sum(axis=1)
        mu_post, cov_post = posterior(cov, pi, picking, q_excess, omega, self.tau)
        mu_post = mu_post + rf

        index = pd.Index(tickers)  # built once: string indexes are not free in pandas 3
        self.prior_ = pd.Series(pi + rf, index=index, name="prior")
        self.posterior_mu_ = pd.Series(mu_post, index=index, name="posterior")
        self.posterior_cov_ = pd.DataFrame(cov_post, index=index, columns=index, copy=False)
        self.omega_ = pd.DataFrame(omega, index=labels, columns=labels)
        self.views_ = views

        dropped = int((~keep).sum())
        first = f"black_litterman: posterior from {len(views)} view(s)" + (
            f", {dropped} at 0% confidence dropped" if dropped else ""
        )
        inner = self._inner()
        inner.fit_moments(self.posterior_cov_, self.posterior_mu_)
        self.optimizer_ = inner
        weights = inner.weights_.to_numpy(dtype=float)  # fitted on our tickers, in order
        return Solution(weights, inner.cash_, inner.solver_, (first, *inner.fallback_chain_))

    def _inner(self) -> BaseOptimizer:
        if self.optimizer is not None:
            if not isinstance(self.optimizer, BaseOptimizer):
                raise InvariantError(
                    f"optimizer must be a microfolio optimiser, got {type(self.optimizer).__name__}"
                )
            inner: BaseOptimizer = clone(self.optimizer)
            return inner
        return MaxSharpe(risk_free_rate=self.risk_free_rate)


# -- the views file -----------------------------------------------------------------------------

_FIELDS = frozenset({"type", "asset", "long", "short", "return", "confidence", "name"})


def views_from_file(path: str | Path) -> tuple[View, ...]:
    """Read Black-Litterman views from a JSON or CSV file (the CLI's ``--views FILE``).

    JSON: a list of objects (or ``{"views": [...]}``), one per view::

        [
          {"type": "absolute", "asset": "VTI", "return": 0.06, "confidence": 0.5},
          {"type": "relative", "long": "VTI", "short": "AGG", "return": "2%",
           "confidence": 0.8, "name": "stocks over bonds"},
          {"type": "relative", "long": ["VTI", "VEA"], "short": "AGG", "return": 0.03}
        ]

    CSV: a header row with the same field names, one view per row; empty cells are absent, and
    several tickers on one side are separated by ``;``::

        type,asset,long,short,return,confidence,name
        absolute,VTI,,,0.06,0.5,
        relative,,VTI;VEA,AGG,2%,0.8,stocks over bonds

    Fields:

    - ``type``: ``absolute`` or ``relative``; optional when ``asset`` (absolute) or
      ``long``/``short`` (relative) make it plain.
    - ``asset`` (absolute): the ticker; ``long``, ``short`` (relative): a ticker or several
      (equally weighted within the side). "long outperforms short by return".
    - ``return``: annual, as a fraction (0.06) or a percent string ("6%"); a bare number above 1
      in size is refused as a likely percent.
    - ``confidence``: optional, in [0, 1] or a percent string ("80%"); Idzorek's confidence
      (1 holds the view exactly, 0 ignores it). Absent: He and Litterman's default uncertainty.
    - ``name``: optional, used in messages and in ``omega_``.

    Errors are :class:`~microfolio.errors.DataFormatError` naming the file, the view (1-based)
    and the field. The format is chosen from the suffix (``.json``, ``.csv``), else from the
    first character (``[`` or ``{`` for JSON).
    """
    file = Path(path)
    where = file.name or str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DataFormatError(f"{where}: no such views file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{where}: cannot be read as text ({exc})") from exc
    if not text.strip():
        raise DataFormatError(f"{where}: the views file is empty")
    suffix = file.suffix.lower()
    is_json = suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in "[{")
    records = _json_records(text, where) if is_json else _csv_records(text, where)
    if not records:
        raise DataFormatError(f"{where}: the views file holds no views")
    return tuple(_view(record, f"{where}: view {k}") for k, record in enumerate(records, 1))


def _json_records(text: str, where: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if isinstance(data, dict) and set(data) == {"views"}:
        data = data["views"]
    if not isinstance(data, list):
        raise DataFormatError(f"{where}: expected a JSON list of views (or {{'views': [...]}})")
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise DataFormatError(f"{where}: view {k} is not an object: {item!r}")
    return data


def _csv_records(text: str, where: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = sorted(set(header) - _FIELDS)
    if unknown or "return" not in header:
        raise DataFormatError(
            f"{where}: the CSV header must name fields among {', '.join(sorted(_FIELDS))} "
            f"including return (got {', '.join(header) or 'nothing'})"
        )
    records: list[dict[str, Any]] = []
    for row in reader:
        record: dict[str, Any] = {}
        for key, value in row.items():
            if key is None:
                raise DataFormatError(f"{where}: view {len(records) + 1} has extra cells")
            cell = (value or "").strip()
            if not cell:
                continue
            name = key.strip().lower()
            if name in ("long", "short", "asset") and ";" in cell:
                record[name] = [part.strip() for part in cell.split(";") if part.strip()]
            else:
                record[name] = cell
        if record:
            records.append(record)
    return records


def _number(value: object, where: str, field_name: str, percent_guard: bool) -> float:
    """A number, or a percent string ("6%"); with ``percent_guard``, a bare number above 1 in
    size is refused as a likely percent."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DataFormatError(f"{where}: field {field_name!r} must be a number, got {value!r}")
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        number = float(text[:-1] if percent else text)
    except ValueError:
        raise DataFormatError(
            f"{where}: field {field_name!r} must be a number or a percent, got {value!r}"
        ) from None
    if not math.isfinite(number):
        raise DataFormatError(f"{where}: field {field_name!r} must be finite, got {value!r}")
    if percent:
        return number / 100.0
    if percent_guard and abs(number) > 1:
        raise DataFormatError(
            f"{where}: field {field_name!r}: {text} looks like a percent; write "
            f'{number / 100:g} or "{text}%"'
        )
    return number


def _tickers(value: object, where: str, field_name: str) -> str | list[str]:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    raise DataFormatError(
        f"{where}: field {field_name!r} must be a ticker or a list of tickers, got {value!r}"
    )


def _view(record: Mapping[str, Any], where: str) -> View:
    record = {str(k).strip().lower(): v for k, v in record.items()}
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise DataFormatError(
            f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(_FIELDS))})"
        )
    kind = record.get("type")
    if kind is None:
        kind = "absolute" if "asset" in record else "relative"
    if not isinstance(kind, str) or kind.strip().lower() not in ("absolute", "relative"):
        raise DataFormatError(f"{where}: field 'type' must be absolute or relative, got {kind!r}")
    kind = kind.strip().lower()
    name = record.get("name", "")
    if not isinstance(name, str):
        raise DataFormatError(f"{where}: field 'name' must be text, got {name!r}")
    where = f"{where} ({name})" if name else where
    if "return" not in record:
        raise DataFormatError(f"{where}: field 'return' is missing")
    expected = _number(record["return"], where, "return", percent_guard=True)
    confidence = None
    if record.get("confidence") is not None:
        confidence = _number(record["confidence"], where, "confidence", percent_guard=False)
        if not 0.0 <= confidence <= 1.0:
            raise DataFormatError(
                f"{where}: field 'confidence' must be in [0, 1] (or 0%-100%), got "
                f"{record['confidence']!r}"
            )
    try:
        if kind == "absolute":
            for extra in ("long", "short"):
                if extra in record:
                    raise DataFormatError(
                        f"{where}: field {extra!r} belongs to relative views (absolute: asset)"
                    )
            if "asset" not in record:
                raise DataFormatError(f"{where}: field 'asset' is missing (absolute view)")
            asset = _tickers(record["asset"], where, "asset")
            if not isinstance(asset, str):
                raise DataFormatError(f"{where}: field 'asset' must be one ticker")
            return View.absolute(asset, expected, confidence, name)
        if "asset" in record:
            raise DataFormatError(
                f"{where}: field 'asset' belongs to absolute views (relative: long, short)"
            )
        for side in ("long", "short"):
            if side not in record:
                raise DataFormatError(f"{where}: field {side!r} is missing (relative view)")
        long = _tickers(record["long"], where, "long")
        short = _tickers(record["short"], where, "short")
        return View.relative(long, short, expected, confidence, name)
    except InvariantError as exc:
        raise DataFormatError(f"{where}: {exc}") from exc
