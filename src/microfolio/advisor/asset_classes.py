"""Asset classes and the interchangeable funds that hold each one.

Every fund of the universe belongs to one asset class; within a class the funds are ordered by
``tlh_rank``: rank 1 is the primary fund, the others are tax-loss-harvesting replacements (they
track similar indexes, so one can stand in for another).

Which fund to use is a point-in-time question: a fund that has not listed yet cannot be held,
and its returns cannot be estimated. The helpers answer it from a :class:`MarketView` alone:

* :meth:`AssetClasses.tradable`: the class's funds, in rank order, that have a close on the
  view's ``as_of`` and at least ``min_history`` sessions of closes up to then;
* :meth:`AssetClasses.primary`: the first tradable fund by rank (the rank-1 fund once it
  trades, the best-ranked fund that does before that);
* :meth:`AssetClasses.proxy`: the fund whose history stands for the class when estimating
  its returns: the tradable fund with the most closes in the last ``lookback`` sessions (ties
  go to the better rank), so a long-lived replacement stands in for a primary fund that
  listed recently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data import MarketView
from microfolio.domain import Asset
from microfolio.errors import InvariantError, MicrofolioError, NotFoundError

__all__ = ["AssetClasses"]


@dataclass(frozen=True, slots=True)
class AssetClasses:
    """Asset class to its funds (tickers in ``tlh_rank`` order), and ticker to asset class.

    Build it from the universe with :meth:`from_assets`. ``funds_by_class`` keeps the order in
    which the classes were given; a ticker may belong to one class only.
    """

    funds_by_class: Mapping[str, tuple[str, ...]]
    class_of: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.funds_by_class:
            raise InvariantError("asset classes need at least one class")
        funds: dict[str, tuple[str, ...]] = {}
        class_of: dict[str, str] = {}
        for asset_class, tickers in self.funds_by_class.items():
            if not asset_class:
                raise InvariantError("an asset class name must be non-empty")
            members = tuple(tickers)
            if not members:
                raise InvariantError(f"asset class {asset_class!r} has no funds")
            for ticker in members:
                if ticker in class_of:
                    raise InvariantError(
                        f"ticker {ticker} is in two asset classes: "
                        f"{class_of[ticker]!r} and {asset_class!r}"
                    )
                class_of[ticker] = asset_class
            funds[asset_class] = members
        object.__setattr__(self, "funds_by_class", MappingProxyType(funds))
        object.__setattr__(self, "class_of", MappingProxyType(class_of))

    @classmethod
    def from_assets(cls, assets: Iterable[Asset]) -> AssetClasses:
        """Group ``assets`` by asset class, each class's funds in ``tlh_rank`` order.

        Refuses a ticker given twice and two funds of one class with the same rank.
        """
        grouped: dict[str, list[Asset]] = {}
        seen: set[str] = set()
        for asset in assets:
            if asset.ticker in seen:
                raise InvariantError(f"ticker {asset.ticker} is given twice")
            seen.add(asset.ticker)
            grouped.setdefault(asset.asset_class, []).append(asset)
        funds: dict[str, tuple[str, ...]] = {}
        for asset_class, members in grouped.items():
            ranked = sorted(members, key=lambda a: a.tlh_rank)
            for before, after in pairwise(ranked):
                if before.tlh_rank == after.tlh_rank:
                    raise InvariantError(
                        f"asset class {asset_class!r}: {before.ticker} and {after.ticker} "
                        f"share tlh_rank {before.tlh_rank}"
                    )
            funds[asset_class] = tuple(a.ticker for a in ranked)
        return cls(funds)

    # -- static lookups -------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The asset classes, in the order given."""
        return tuple(self.funds_by_class)

    def funds(self, asset_class: str) -> tuple[str, ...]:
        """The class's funds, primary first."""
        try:
            return self.funds_by_class[asset_class]
        except KeyError:
            raise NotFoundError(
                f"unknown asset class {asset_class!r} (known: {', '.join(self.names)})"
            ) from None

    def asset_class(self, ticker: str) -> str:
        """The asset class of ``ticker``."""
        try:
            return self.class_of[ticker]
        except KeyError:
            raise NotFoundError(f"ticker {ticker!r} is in no asset class") from None

    def replacements(self, ticker: str) -> tuple[str, ...]:
        """The other funds of ``ticker``'s class, in rank order: its harvesting replacements."""
        return tuple(t for t in self.funds(self.asset_class(ticker)) if t != ticker)

    # -- point in time --------------------------------------------------------------------------

    def tradable(self, asset_class: str, view: MarketView, min_history: int = 1) -> tuple[str, ...]:
        """The class's funds, in rank order, with a close on ``view.as_of`` and at least
        ``min_history`` sessions of closes up to it (funds absent from the view are not)."""
        _check_count("min_history", min_history)
        if min_history == 1:  # a close today is history enough: read the last row only
            tickers = tuple(t for t in self.funds(asset_class) if t in view.tickers)
            last = view.close.iloc[-1]
            return tuple(t for t in tickers if not math.isnan(float(last[t])))
        tickers, closes = self._closes(asset_class, view)
        if not tickers:
            return ()
        trades_now = ~np.isnan(closes[-1])
        history = np.count_nonzero(~np.isnan(closes), axis=0)
        return tuple(
            t
            for t, now, n in zip(tickers, trades_now, history, strict=True)
            if now and n >= min_history
        )

    def primary(self, asset_class: str, view: MarketView, min_history: int = 1) -> str:
        """The first tradable fund by rank: the rank-1 fund once it trades, else the best-ranked
        fund that does."""
        return self._require(asset_class, view, min_history)[0]

    def proxy(self, asset_class: str, view: MarketView, lookback: int, min_history: int = 1) -> str:
        """The tradable fund with the most closes in the last ``lookback`` sessions of the view
        (ties to the better rank): the fund whose returns estimate the class's."""
        _check_count("lookback", lookback)
        candidates = self._require(asset_class, view, min_history)
        tickers, closes = self._closes(asset_class, view)
        counts = dict(
            zip(tickers, np.count_nonzero(~np.isnan(closes[-lookback:]), axis=0), strict=True)
        )
        # max() keeps the first of equal counts, and candidates are in rank order
        return max(candidates, key=lambda t: int(counts[t]))

    def _require(self, asset_class: str, view: MarketView, min_history: int) -> tuple[str, ...]:
        found = self.tradable(asset_class, view, min_history)
        if not found:
            history = f" and at least {min_history} sessions of closes" if min_history > 1 else ""
            raise MicrofolioError(
                f"asset class {asset_class!r} has no tradable fund on {view.as_of}: none of "
                f"{', '.join(self.funds(asset_class))} has a close that day{history}"
            )
        return found

    def _closes(
        self, asset_class: str, view: MarketView
    ) -> tuple[tuple[str, ...], npt.NDArray[np.float64]]:
        """The class's funds present in the view, and their closes (sessions x funds)."""
        tickers = tuple(t for t in self.funds(asset_class) if t in view.tickers)
        columns = view.tickers.get_indexer(pd.Index(tickers))
        return tickers, view.close.to_numpy(dtype=float)[:, columns]


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvariantError(f"{name} must be an integer >= 1, got {value!r}")
