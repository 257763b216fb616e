"""News: items, feeds, file readers and the exchange session each item counts for.

A :class:`NewsItem` is one headline with its publication time (timezone-aware, always), an
optional body, and the tickers and asset classes it is about. A :class:`NewsFeed` hands out the
items published in a half-open window ``[start, end)``; :class:`StaticNewsFeed` serves a list.

Files (:func:`read_news`): CSV with a header, or JSON lines (``.jsonl`` / ``.ndjson``).

* fields: ``published_at`` (ISO 8601 with an offset, e.g. ``2024-03-08T15:59:59-05:00`` or
  ``...Z``; required), ``headline`` (required), ``body``, ``tickers``, ``asset_classes``,
  ``source`` (defaults to the file name). In CSV, several tickers or asset classes are separated
  by ``;``; in JSON lines they are lists (or a ``;``-separated string). Unknown fields are
  refused, blank lines skipped.
* every refusal is one :class:`~microfolio.errors.DataFormatError` line naming the file, the
  line and the field.

Sessions (:class:`SessionSchedule`, XNYS): an item counts for the first session whose close
(16:00 America/New_York, or the early close on half days) is strictly after its publication
time. So an item published before the open or during a session counts for that session; one
published at or after the close counts for the next session, never the same one; weekends and
holidays roll to the next session. Comparisons are made in UTC, so DST changes need no care.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from microfolio.data.calendar import naive_sessions, xnys_calendar
from microfolio.errors import DataFormatError, InvariantError

__all__ = [
    "NEWS_FIELDS",
    "NewsFeed",
    "NewsItem",
    "SessionSchedule",
    "StaticNewsFeed",
    "read_news",
    "read_news_csv",
    "read_news_jsonl",
]

#: the fields of a news file; the first two are required
NEWS_FIELDS = ("published_at", "headline", "body", "tickers", "asset_classes", "source")
_REQUIRED = NEWS_FIELDS[:2]
_LIST_SEPARATOR = ";"
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_NEW_YORK = "America/New_York"


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One news item: when it was published, what it says, what it is about, who said it."""

    published_at: dt.datetime
    headline: str
    source: str
    body: str | None = None
    tickers: tuple[str, ...] = ()
    asset_classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.published_at, dt.datetime):
            raise InvariantError(
                f"published_at must be a datetime, got {type(self.published_at).__name__}"
            )
        if self.published_at.utcoffset() is None:
            raise InvariantError(
                f"published_at must be timezone-aware, got naive {self.published_at.isoformat()}"
            )
        if not isinstance(self.headline, str) or not self.headline.strip():
            raise InvariantError(f"headline must be non-empty text, got {self.headline!r}")
        if not isinstance(self.source, str):
            raise InvariantError(f"source must be text, got {self.source!r}")
        if self.body is not None and not isinstance(self.body, str):
            raise InvariantError(f"body must be text or None, got {type(self.body).__name__}")
        object.__setattr__(self, "tickers", _names("tickers", self.tickers, upper=True))
        object.__setattr__(self, "asset_classes", _names("asset_classes", self.asset_classes))

    @property
    def published_utc(self) -> pd.Timestamp:
        """The publication time in UTC."""
        return pd.Timestamp(self.published_at).tz_convert("UTC")


def _names(field: str, values: object, *, upper: bool = False) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvariantError(f"{field} must be a tuple of names, got {values!r}")
    names = tuple(values)
    for name in names:
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise InvariantError(f"{field} must be non-empty names without spaces, got {name!r}")
        if upper and name != name.upper():
            raise InvariantError(f"{field} must be upper-case, got {name!r}")
    if len(set(names)) != len(names):
        raise InvariantError(f"{field} name one entry twice: {names!r}")
    return names


class NewsFeed(Protocol):
    """Where news comes from: the items published in ``[start, end)``, oldest first."""

    def items(self, start: dt.datetime, end: dt.datetime) -> tuple[NewsItem, ...]: ...


class StaticNewsFeed:
    """A feed over a fixed collection of items (read from a file, built in a test)."""

    def __init__(self, items: Iterable[NewsItem]) -> None:
        self._items = tuple(sorted(items, key=lambda item: item.published_utc))

    def items(self, start: dt.datetime, end: dt.datetime) -> tuple[NewsItem, ...]:
        """The items published at or after ``start`` and strictly before ``end``."""
        lo, hi = _aware("start", start), _aware("end", end)
        if hi < lo:
            raise InvariantError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return tuple(item for item in self._items if lo <= item.published_utc < hi)

    def __len__(self) -> int:
        return len(self._items)


def _aware(name: str, value: dt.datetime) -> pd.Timestamp:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvariantError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return pd.Timestamp(value).tz_convert("UTC")


# --- sessions ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SessionSchedule:
    """Exchange sessions (naive midnight dates) and their closes (UTC), in session order.

    Build it with :meth:`xnys`; it answers for publication times after the close of its first
    session and before the close of its last one (:meth:`xnys` pads the range it is given so
    that items from ``start`` to ``end`` are covered).
    """

    sessions: pd.DatetimeIndex
    closes: pd.DatetimeIndex

    def __post_init__(self) -> None:
        if len(self.sessions) < 2 or len(self.sessions) != len(self.closes):
            raise InvariantError(
                f"a schedule needs at least two sessions, each with a close; got "
                f"{len(self.sessions)} sessions and {len(self.closes)} closes"
            )
        if self.closes.tz is None or not self.closes.is_monotonic_increasing:
            raise InvariantError("closes must be increasing timezone-aware timestamps")

    @classmethod
    def xnys(cls, start: dt.date | str, end: dt.date | str) -> SessionSchedule:
        """The XNYS schedule covering publication times from ``start`` to ``end`` (dates)."""
        first = pd.Timestamp(start).normalize()
        last = pd.Timestamp(end).normalize()
        if last < first:
            raise InvariantError(f"schedule end {last.date()} is before its start {first.date()}")
        calendar = xnys_calendar(first, last)
        sessions = naive_sessions(calendar)
        closes = pd.DatetimeIndex(calendar.closes.to_numpy())
        closes = closes.tz_localize("UTC") if closes.tz is None else closes.tz_convert("UTC")
        return cls(
            sessions=sessions,
            closes=pd.DatetimeIndex(closes.astype("datetime64[ns, UTC]"), name="close"),
        )

    @classmethod
    def covering(cls, items: Sequence[NewsItem], sessions: pd.DatetimeIndex) -> SessionSchedule:
        """The XNYS schedule covering both the items' publication days and ``sessions``."""
        days = [item.published_utc.tz_convert(_NEW_YORK).tz_localize(None) for item in items]
        days += list(pd.DatetimeIndex(sessions))
        if not days:
            raise InvariantError("a schedule needs items or sessions to cover, got neither")
        return cls.xnys(min(days).normalize(), max(days).normalize())

    def session_of(self, published_at: dt.datetime) -> pd.Timestamp:
        """The session an item published at ``published_at`` counts for."""
        return pd.Timestamp(self.align([published_at])[0])

    def align(self, published: Iterable[dt.datetime]) -> pd.DatetimeIndex:
        """The session each publication time counts for (first session closing after it)."""
        times = [_aware("published_at", value) for value in published]
        if not times:
            return pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
        closes = self.closes.tz_convert("UTC").tz_localize(None).to_numpy("datetime64[ns]")
        stamps = np.array([t.tz_localize(None).to_datetime64() for t in times], "datetime64[ns]")
        positions = np.searchsorted(closes, stamps, side="right")
        outside = (positions == 0) | (positions >= len(self.closes))
        if outside.any():
            bad = times[int(np.argmax(outside))]
            raise InvariantError(
                f"published_at {bad.isoformat()} is outside the schedule "
                f"({self.sessions[1].date()} to {self.sessions[-1].date()})"
            )
        return pd.DatetimeIndex(self.sessions[positions], name="date")


# --- readers -------------------------------------------------------------------------------


def read_news(path: str | os.PathLike[str]) -> tuple[NewsItem, ...]:
    """Read a news file: JSON lines when named ``.jsonl`` / ``.ndjson``, CSV otherwise."""
    file = Path(path)
    if file.suffix.lower() in _JSONL_SUFFIXES:
        return read_news_jsonl(file)
    return read_news_csv(file)


def read_news_csv(path: str | os.PathLike[str]) -> tuple[NewsItem, ...]:
    """Read a CSV news file (header row; fields in :data:`NEWS_FIELDS`)."""
    file, text = _read_text(path)
    reader = csv.DictReader(text.splitlines(keepends=True), restkey="\x00extra")
    header = reader.fieldnames
    if not header:
        raise DataFormatError(f"{file.name}: empty file, expected a header row")
    unknown = [name for name in header if name not in NEWS_FIELDS]
    if unknown:
        raise DataFormatError(f"{file.name} line 1: unknown columns {unknown}")
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise DataFormatError(f"{file.name} line 1: missing columns {missing}")
    items = []
    for row in reader:
        where = f"{file.name} line {reader.line_num}"
        if "\x00extra" in row:
            raise DataFormatError(f"{where}: more fields than the header's {len(header)}")
        if all(not (value or "").strip() for value in row.values()):
            continue
        items.append(_item(row, where, default_source=file.name))
    return tuple(items)


def read_news_jsonl(path: str | os.PathLike[str]) -> tuple[NewsItem, ...]:
    """Read a JSON-lines news file: one object per line with fields in :data:`NEWS_FIELDS`."""
    file, text = _read_text(path)
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise DataFormatError(f"{where}: expected a JSON object, got {type(record).__name__}")
        unknown = sorted(set(record) - set(NEWS_FIELDS))
        if unknown:
            raise DataFormatError(f"{where}: unknown fields {unknown}")
        items.append(_item(record, where, default_source=file.name))
    return tuple(items)


def _read_text(path: str | os.PathLike[str]) -> tuple[Path, str]:
    file = Path(path)
    name = file.name or str(file)
    if not file.exists():
        raise DataFormatError(f"{name}: no such file")
    if file.is_dir():
        raise DataFormatError(f"{name}: is a directory, not a file")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFormatError(f"{name}: not UTF-8 text") from None
    except OSError as exc:
        raise DataFormatError(f"{name}: cannot be read ({exc.strerror})") from exc
    if not text.strip():
        raise DataFormatError(f"{name}: empty file")
    return file, text


def _item(record: Mapping[str, object], where: str, default_source: str) -> NewsItem:
    for name in _REQUIRED:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DataFormatError(f"{where}: field {name!r} is missing or empty")
    published = _timestamp(record["published_at"], where)
    source = _text(record.get("source"), "source", where) or default_source
    try:
        return NewsItem(
            published_at=published,
            headline=_text(record["headline"], "headline", where) or "",
            source=source,
            body=_text(record.get("body"), "body", where) or None,
            tickers=tuple(n.upper() for n in _list(record.get("tickers"), "tickers", where)),
            asset_classes=_list(record.get("asset_classes"), "asset_classes", where),
        )
    except InvariantError as exc:
        raise DataFormatError(f"{where}: {exc}") from None


def _text(value: object, field: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise DataFormatError(f"{where}: field {field!r} must be text, got {value!r}")
    return value.strip()


def _timestamp(value: object, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise DataFormatError(f"{where}: field 'published_at' must be text, got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise DataFormatError(
            f"{where}: field 'published_at' is not an ISO 8601 time: {value!r}"
        ) from None
    if parsed.utcoffset() is None:
        raise DataFormatError(
            f"{where}: field 'published_at' has no timezone offset: {value!r} "
            "(add one, e.g. -05:00 or Z)"
        )
    return parsed


def _list(value: object, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.split(_LIST_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts = value
    else:
        raise DataFormatError(
            f"{where}: field {field!r} must be a list of names or a ';'-separated string, "
            f"got {value!r}"
        )
    return tuple(part.strip() for part in parts if part.strip())
