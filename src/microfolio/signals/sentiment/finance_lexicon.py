"""The finance lexicon the project maintains: terms and phrases with VADER-scale valences.

The lexicon is versioned package data (``data/finance_lexicon_<version>.csv``, columns
``term,valence``, ``#`` comment lines). A term of several words is a *phrase*; valences lie in
``[-4, 4]`` like VADER's. See the file's header for how the lexicon scorer uses it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

from microfolio.errors import DataFormatError, InvariantError

__all__ = ["LEXICON_VERSION", "FinanceLexicon", "load_finance_lexicon"]

#: the version the lexicon scorer uses unless told otherwise
LEXICON_VERSION = "v1"
_MAX_VALENCE = 4.0
_VERSION = re.compile(r"v[0-9]+")


@dataclass(frozen=True, slots=True)
class FinanceLexicon:
    """Terms (lower-case, single spaces) to valence, with the version they come from."""

    version: str
    valences: Mapping[str, float]
    phrases: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        cleaned: dict[str, float] = {}
        for term, valence in self.valences.items():
            key = " ".join(term.lower().split())
            if not key:
                raise InvariantError(f"lexicon {self.version}: a term is empty")
            if not -_MAX_VALENCE <= valence <= _MAX_VALENCE:
                raise InvariantError(
                    f"lexicon {self.version}: valence of {term!r} must be in [-4, 4], "
                    f"got {valence!r}"
                )
            if key in cleaned:
                raise InvariantError(f"lexicon {self.version}: term {key!r} appears twice")
            cleaned[key] = float(valence)
        object.__setattr__(self, "valences", MappingProxyType(cleaned))
        phrases = sorted((t for t in cleaned if " " in t), key=lambda t: (-len(t.split()), t))
        object.__setattr__(self, "phrases", tuple(phrases))

    def __len__(self) -> int:
        return len(self.valences)


def load_finance_lexicon(version: str = LEXICON_VERSION) -> FinanceLexicon:
    """The lexicon shipped with the package under ``version`` (``"v1"``, ...)."""
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise InvariantError(f"lexicon version must look like 'v1', got {version!r}")
    name = f"finance_lexicon_{version}.csv"
    resource = resources.files("microfolio.signals.sentiment").joinpath("data").joinpath(name)
    if not resource.is_file():
        raise DataFormatError(f"finance lexicon version {version!r} does not exist ({name})")
    lines = resource.read_text(encoding="utf-8").splitlines()
    rows = [(number, line) for number, line in enumerate(lines, 1) if not _skip(line)]
    if not rows or rows[0][1].strip() != "term,valence":
        raise DataFormatError(f"{name}: the first row must be the header 'term,valence'")
    valences: dict[str, float] = {}
    for number, line in rows[1:]:
        cells = next(csv.reader([line]))
        if len(cells) != 2:
            raise DataFormatError(f"{name} line {number}: expected term,valence, got {line!r}")
        term, raw = cells
        try:
            valence = float(raw)
        except ValueError:
            raise DataFormatError(
                f"{name} line {number}: valence {raw!r} is not a number"
            ) from None
        key = " ".join(term.lower().split())
        if key in valences:
            raise DataFormatError(f"{name} line {number}: term {key!r} appears twice")
        valences[key] = valence
    try:
        return FinanceLexicon(version=version, valences=valences)
    except InvariantError as exc:
        raise DataFormatError(f"{name}: {exc}") from None


def _skip(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")
