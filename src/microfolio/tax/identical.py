"""Which securities are "substantially identical" for the wash-sale rule: versioned data.

IRS Publication 550 (Wash Sales) leaves "substantially identical" to the facts and circumstances;
this module makes it data, with a version, so that a decision can say which reading it used.
The default reading (``tracks-v1``): two funds are one security for the rule when they track the
same index (the ``tracks`` column of the bundled ``etf_universe.csv``), so VOO, IVV and SPY
(S&P 500) are one, AGG and SCHZ (Bloomberg US Aggregate) one, GLD and IAU (gold bullion) one;
funds of one asset class that track different indexes are not (VTI and ITOT; BND, which tracks
the *float adjusted* aggregate index, and AGG).

A :class:`SecurityIdentity` maps each ticker to a *key*; tickers with one key are identical. An
unknown ticker is its own key (a security is always identical to itself), and keys are
namespaced (``index:...`` and ``ticker:...``) so an index name can never collide with a ticker.
``extra_groups`` declares more tickers identical (say a share class and its ETF); since that is a
different reading, the version gets a suffix derived from the groups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from microfolio.data.bundle import load_universe
from microfolio.domain.asset import Asset
from microfolio.errors import InvariantError

__all__ = ["DEFAULT_VERSION", "SecurityIdentity", "normalise_ticker"]

#: the default reading: funds that track one index are one security
DEFAULT_VERSION = "tracks-v1"


def normalise_ticker(ticker: str) -> str:
    """Tickers compare upper-case, without surrounding blanks."""
    return ticker.strip().upper()


def _ticker_key(ticker: str) -> str:
    return f"ticker:{normalise_ticker(ticker)}"


def _index_key(tracks: str) -> str:
    return "index:" + " ".join(tracks.casefold().split())


@dataclass(frozen=True, slots=True)
class SecurityIdentity:
    """Ticker -> identity key, with the version of the reading that made it.

    ``keys`` needs to list only the tickers that share a key with another one or that the reading
    knows about; any other ticker is its own key.
    """

    version: str
    keys: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.version.strip():
            raise InvariantError("security identity: version must be non-empty")
        keys: dict[str, str] = {}
        for ticker, key in self.keys.items():
            name = normalise_ticker(ticker)
            if not name or not key:
                raise InvariantError(
                    f"security identity {self.version}: empty ticker or key ({ticker!r}: {key!r})"
                )
            if keys.get(name, key) != key:
                raise InvariantError(
                    f"security identity {self.version}: ticker {name} has two keys "
                    f"({keys[name]!r} and {key!r})"
                )
            keys[name] = key
        object.__setattr__(self, "keys", MappingProxyType(keys))

    # -- queries ----------------------------------------------------------------------------

    def key(self, ticker: str) -> str:
        """The identity key of ``ticker`` (an unknown ticker is its own key)."""
        name = normalise_ticker(ticker)
        return self.keys.get(name, _ticker_key(name))

    def identical(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are substantially identical under this reading."""
        return self.key(a) == self.key(b)

    def group(self, ticker: str) -> tuple[str, ...]:
        """The known tickers identical to ``ticker`` (itself included), sorted."""
        key = self.key(ticker)
        members = {t for t, k in self.keys.items() if k == key} | {normalise_ticker(ticker)}
        return tuple(sorted(members))

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_assets(
        cls,
        assets: Iterable[Asset],
        version: str = DEFAULT_VERSION,
        extra_groups: Iterable[Iterable[str]] = (),
    ) -> SecurityIdentity:
        """Funds that track one index share a key; an asset without ``tracks`` is its own key.

        ``extra_groups``: sets of tickers to treat as identical too (merged with any group they
        touch). When given, ``version`` gets a ``+<digest>`` suffix that identifies the groups, so
        two different readings never carry one version.
        """
        keys: dict[str, str] = {}
        for asset in assets:
            key = _index_key(asset.tracks) if asset.tracks.strip() else _ticker_key(asset.ticker)
            if keys.get(asset.ticker, key) != key:
                raise InvariantError(
                    f"security identity: {asset.ticker} is listed twice with different indexes"
                )
            keys[asset.ticker] = key
        groups = [sorted({normalise_ticker(t) for t in group}) for group in extra_groups]
        groups = [group for group in groups if group]
        if any(not t for group in groups for t in group):
            raise InvariantError("security identity: extra_groups hold an empty ticker")
        if groups:
            keys = _merged(keys, groups)
            canonical = ";".join(sorted(",".join(group) for group in groups))
            digest = hashlib.sha256(canonical.encode()).hexdigest()[:8]
            version = f"{version}+{digest}"
        return cls(version, keys)

    @classmethod
    def default(cls) -> SecurityIdentity:
        """The default reading (``tracks-v1``) over the bundled ETF universe."""
        return cls.from_assets(load_universe())


def _merged(keys: dict[str, str], groups: list[list[str]]) -> dict[str, str]:
    """``keys`` with every group's keys merged into one (the smallest of them), transitively."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            parent[high] = low

    out = dict(keys)
    for group in groups:
        for ticker in group:
            out.setdefault(ticker, _ticker_key(ticker))
        first = out[group[0]]
        for ticker in group[1:]:
            union(first, out[ticker])
    return {ticker: root(key) for ticker, key in out.items()}
