"""The lexicon scorer: VADER's compound score with the project's finance lexicon on top.

VADER (Hutto and Gilbert, 2014) scores a text from a lexicon of word valences plus rules for
negation ("not", "no"), boosters ("sharply"), capitals and "but"; its compound score lies in
``[-1, 1]``. Everyday English misreads finance ("crude" and "gross" are neutral here, "default"
and "downgrade" are not), so each scorer copies VADER's lexicon and overlays the finance lexicon
(:mod:`~microfolio.signals.sentiment.finance_lexicon`): finance terms win. Multi-word phrases
("guidance cut", "beats estimates") are joined into one token before scoring, longest first, so
VADER's rules apply to them as to any word.

Labels use VADER's documented thresholds: compound ``>= 0.05`` positive, ``<= -0.05`` negative,
neutral in between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    SentimentIntensityAnalyzer,
)

from microfolio.signals.sentiment.base import (
    FloatArray,
    SentimentLabel,
    Thresholds,
    check_texts,
)
from microfolio.signals.sentiment.finance_lexicon import FinanceLexicon, load_finance_lexicon

__all__ = ["LEXICON_THRESHOLDS", "LexiconScorer"]

#: VADER's own cut-offs for its compound score
LEXICON_THRESHOLDS = Thresholds(negative=-0.05, positive=0.05)
_JOIN = "_"


class LexiconScorer:
    """Scores texts with VADER plus a finance lexicon; nothing to fit.

    ``lexicon`` defaults to the current shipped version (:func:`load_finance_lexicon`). Each
    scorer owns its VADER analyser, so two scorers with different lexicons do not interfere.
    """

    def __init__(
        self,
        lexicon: FinanceLexicon | None = None,
        thresholds: Thresholds = LEXICON_THRESHOLDS,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else load_finance_lexicon()
        self.thresholds = thresholds
        self._analyzer = SentimentIntensityAnalyzer()
        overlay = {term.replace(" ", _JOIN): v for term, v in self.lexicon.valences.items()}
        self._analyzer.lexicon = {**self._analyzer.lexicon, **overlay}
        self._phrases: re.Pattern[str] | None = None
        if self.lexicon.phrases:
            alternatives = "|".join(
                r"\s+".join(re.escape(word) for word in phrase.split())
                for phrase in self.lexicon.phrases
            )
            self._phrases = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def __repr__(self) -> str:
        return f"LexiconScorer(lexicon={self.lexicon.version!r}, thresholds={self.thresholds})"

    def prepare(self, text: str) -> str:
        """``text`` with each finance phrase joined into one token (``guidance_cut``)."""
        if self._phrases is None:
            return text
        return self._phrases.sub(lambda m: _JOIN.join(m.group(0).split()), text)

    def score(self, texts: Sequence[str]) -> FloatArray:
        """VADER compound score of each text, in ``[-1, 1]``."""
        checked = check_texts(texts)
        scores = [
            self._analyzer.polarity_scores(self.prepare(text))["compound"] for text in checked
        ]
        return np.clip(np.asarray(scores, dtype=np.float64), -1.0, 1.0)

    def label(self, texts: Sequence[str]) -> tuple[SentimentLabel, ...]:
        """The label of each text under :attr:`thresholds`."""
        return self.thresholds.label(self.score(texts))
