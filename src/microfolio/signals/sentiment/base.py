"""What every sentiment scorer shares: labels, thresholds and the scorer protocol.

A scorer maps texts to scores in ``[-1, 1]`` (``-1`` most negative, ``+1`` most positive) and
labels them positive, negative or neutral by a rule each scorer documents; :class:`Thresholds`
is the usual one: a score at or above ``positive`` is positive, at or below ``negative`` is
negative, anything in between is neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from microfolio.errors import InvariantError

__all__ = ["FloatArray", "SentimentLabel", "SentimentScorer", "Thresholds", "check_texts"]

FloatArray = npt.NDArray[np.float64]


class SentimentLabel(StrEnum):
    """The tone of a text for an investor in its subject."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score cut-offs: ``score >= positive`` is positive, ``score <= negative`` is negative."""

    negative: float = -0.05
    positive: float = 0.05

    def __post_init__(self) -> None:
        if not -1.0 <= self.negative < 0.0:
            raise InvariantError(f"negative threshold must be in [-1, 0), got {self.negative!r}")
        if not 0.0 < self.positive <= 1.0:
            raise InvariantError(f"positive threshold must be in (0, 1], got {self.positive!r}")

    def label(self, scores: npt.ArrayLike) -> tuple[SentimentLabel, ...]:
        """The label of each score."""
        values = np.asarray(scores, dtype=np.float64).ravel()
        return tuple(
            SentimentLabel.POSITIVE
            if value >= self.positive
            else SentimentLabel.NEGATIVE
            if value <= self.negative
            else SentimentLabel.NEUTRAL
            for value in values
        )


class SentimentScorer(Protocol):
    """Texts in, scores in ``[-1, 1]`` and labels out."""

    def score(self, texts: Sequence[str]) -> FloatArray: ...

    def label(self, texts: Sequence[str]) -> tuple[SentimentLabel, ...]: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Refuse a bare string (a common slip for ``[text]``) and anything that is not text."""
    if isinstance(texts, str):
        raise InvariantError(f"texts must be a sequence of strings, got one string {texts[:40]!r}")
    checked = list(texts)
    for position, text in enumerate(checked):
        if not isinstance(text, str):
            raise InvariantError(f"texts[{position}] must be a string, got {text!r}")
    return checked
