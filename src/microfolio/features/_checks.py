"""Parameter checks for the feature code, each refusing with one line naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping

from microfolio.checks import check_count
from microfolio.errors import InvariantError

__all__ = ["check_classes", "check_names", "check_pairs", "check_windows"]


def check_windows(name: str, value: object, minimum: int) -> tuple[int, ...]:
    """A sequence of distinct windows, each a whole number at least ``minimum`` (may be empty)."""
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise InvariantError(f"{name} must be a tuple of integers, got {value!r}")
    windows = tuple(check_count(name, w, minimum) for w in value)
    _refuse_repeats(name, windows)
    return windows


def check_pairs(name: str, value: object) -> tuple[tuple[int, int], ...]:
    """A sequence of distinct ``(lookback, skip)`` pairs with ``0 <= skip < lookback``."""
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise InvariantError(f"{name} must be a tuple of (lookback, skip) pairs, got {value!r}")
    pairs: list[tuple[int, int]] = []
    for pair in value:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InvariantError(f"{name} must hold (lookback, skip) pairs, got {pair!r}")
        lookback = check_count(f"{name} lookback", pair[0], 2)
        skip = check_count(f"{name} skip", pair[1], 0)
        if skip >= lookback:
            raise InvariantError(f"{name} skip must be below its lookback, got {tuple(pair)!r}")
        pairs.append((lookback, skip))
    _refuse_repeats(name, tuple(pairs))
    return tuple(pairs)


def check_names(name: str, value: object) -> tuple[str, ...]:
    """A sequence of distinct non-empty strings (may be empty)."""
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise InvariantError(f"{name} must be a tuple of feature names, got {value!r}")
    for item in value:
        if not isinstance(item, str) or not item:
            raise InvariantError(f"{name} must hold non-empty strings, got {item!r}")
    names = tuple(value)
    _refuse_repeats(name, names)
    return names


def check_classes(name: str, value: object) -> tuple[tuple[str, str], ...]:
    """A ``{ticker: asset_class}`` mapping as sorted pairs of non-empty strings."""
    if not isinstance(value, Mapping):
        raise InvariantError(f"{name} must map tickers to asset classes, got {value!r}")
    for ticker, asset_class in value.items():
        if not isinstance(ticker, str) or not ticker:
            raise InvariantError(f"{name} tickers must be non-empty strings, got {ticker!r}")
        if not isinstance(asset_class, str) or not asset_class:
            raise InvariantError(
                f"{name} class of {ticker} must be a non-empty string, got {asset_class!r}"
            )
    return tuple(sorted(value.items()))


def _refuse_repeats(name: str, items: tuple[object, ...]) -> None:
    seen: set[object] = set()
    for item in items:
        if item in seen:
            raise InvariantError(f"{name} repeats {item!r}")
        seen.add(item)
