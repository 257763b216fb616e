"""How well a scorer labels held-out headlines: accuracy and macro-F1.

Macro-F1 is the unweighted mean of the per-label F1 scores, so a scorer cannot do well by
calling everything neutral. ``majority_rate`` is what always answering the most common label
would score on the same headlines: a scorer worth using beats it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.metrics import accuracy_score, f1_score

from microfolio.errors import InvariantError
from microfolio.signals.sentiment.base import SentimentLabel, SentimentScorer
from microfolio.signals.sentiment.headlines import LabelledHeadlines

__all__ = ["Evaluation", "evaluate"]

_ORDER = (SentimentLabel.POSITIVE, SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Held-out scores of one scorer on ``n`` headlines."""

    n: int
    accuracy: float
    macro_f1: float
    majority_rate: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "majority_rate": self.majority_rate,
        }


def evaluate(scorer: SentimentScorer, data: LabelledHeadlines) -> Evaluation:
    """Label ``data``'s headlines with ``scorer`` and compare with the true labels."""
    if len(data) == 0:
        raise InvariantError("cannot evaluate on no headlines")
    predicted: Sequence[SentimentLabel] = scorer.label(list(data.headlines))
    truth = [str(label) for label in data.labels]
    guess = [str(label) for label in predicted]
    labels = [str(label) for label in _ORDER]
    return Evaluation(
        n=len(data),
        accuracy=float(accuracy_score(truth, guess)),
        macro_f1=float(f1_score(truth, guess, labels=labels, average="macro", zero_division=0)),
        majority_rate=Counter(truth).most_common(1)[0][1] / len(truth),
    )
