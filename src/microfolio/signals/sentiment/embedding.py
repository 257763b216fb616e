"""The embedding scorer: MiniLM sentence embeddings and a logistic-regression head.

``fit(texts, labels)`` embeds the texts (:class:`~microfolio.signals.sentiment.encoder.
MiniLMEncoder` unless another encoder is given) and fits a multinomial
:class:`~sklearn.linear_model.LogisticRegression` on them. The score of a text is
``P(positive) - P(negative)``, in ``[-1, 1]``. Its label is the most probable class (the
documented rule when ``thresholds`` is ``None``, the default), or, when ``thresholds`` are given,
the label of the score under them like the lexicon scorer. The most probable class is the
default because it labels better: in 5-fold cross-validation on the training split, 0.69
accuracy against 0.64 for the best symmetric threshold on the score (0.2).

``C = 10`` was chosen the same way (lowest cross-validated log-loss on the training split among
0.3, 1, 3, 10, 30, 100); the test split was not looked at.

No fitted model is stored anywhere: :meth:`EmbeddingScorer.default` fits on the training split
of the project's labelled headlines (a few seconds on one CPU core, most of it loading the
model), every time it is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from microfolio.errors import InvariantError, MicrofolioError
from microfolio.signals.sentiment.base import (
    FloatArray,
    SentimentLabel,
    Thresholds,
    check_texts,
)
from microfolio.signals.sentiment.encoder import MiniLMEncoder, TextEncoder
from microfolio.signals.sentiment.headlines import load_labelled_headlines

__all__ = ["DEFAULT_C", "EmbeddingScorer"]

#: inverse regularisation strength of the head (see the module docstring)
DEFAULT_C = 10.0


class EmbeddingScorer(BaseEstimator):  # type: ignore[misc]
    """Sentence embeddings plus a logistic-regression head (scikit-learn contract).

    Parameters: ``encoder`` (default: a :class:`MiniLMEncoder` made at ``fit``, which loads the
    packaged model once, on first use), ``C`` (inverse regularisation strength of the head),
    ``thresholds`` (``None``: label with the most probable class; else label the score under
    these thresholds). Learned: ``encoder_``, ``classifier_``, ``classes_``
    and ``n_train_``.
    """

    encoder_: TextEncoder
    classifier_: LogisticRegression
    classes_: tuple[SentimentLabel, ...]
    n_train_: int

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        C: float = DEFAULT_C,  # noqa: N803 (scikit-learn's name)
        thresholds: Thresholds | None = None,
    ) -> None:
        self.encoder = encoder
        self.C = C
        self.thresholds = thresholds

    @classmethod
    def default(cls, encoder: TextEncoder | None = None) -> EmbeddingScorer:
        """A scorer fitted on the training split of the shipped labelled headlines."""
        train, _ = load_labelled_headlines().split()
        return cls(encoder=encoder).fit(train.headlines, train.labels)

    def fit(self, texts: Sequence[str], labels: Sequence[SentimentLabel | str]) -> Self:
        """Embed ``texts`` and fit the head on ``labels`` (positive, negative or neutral)."""
        checked = check_texts(texts)
        targets = _labels(labels)
        if len(checked) != len(targets):
            raise InvariantError(
                f"texts and labels differ in length: {len(checked)} and {len(targets)}"
            )
        if len(set(targets)) < 2:
            raise InvariantError(
                f"labels must hold at least two classes, got {sorted(set(targets))}"
            )
        if not isinstance(self.C, int | float) or not self.C > 0:
            raise InvariantError(f"C must be a positive number, got {self.C!r}")
        encoder = self.encoder if self.encoder is not None else MiniLMEncoder()
        features = encoder.encode(checked)
        classifier = LogisticRegression(C=float(self.C), max_iter=2000)
        classifier.fit(features, [str(label) for label in targets])
        self.encoder_ = encoder
        self.classifier_ = classifier
        self.classes_ = tuple(SentimentLabel(name) for name in classifier.classes_)
        self.n_train_ = len(checked)
        return self

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Class probabilities, one row per text, columns in :attr:`classes_` order."""
        self._require_fitted()
        checked = check_texts(texts)
        if not checked:
            return np.empty((0, len(self.classes_)), dtype=np.float64)
        return np.asarray(
            self.classifier_.predict_proba(self.encoder_.encode(checked)), dtype=np.float64
        )

    def score(self, texts: Sequence[str]) -> FloatArray:
        """``P(positive) - P(negative)`` of each text, in ``[-1, 1]``."""
        proba = self.predict_proba(texts)
        scores = np.zeros(proba.shape[0], dtype=np.float64)
        for column, label in enumerate(self.classes_):
            if label is SentimentLabel.POSITIVE:
                scores += proba[:, column]
            elif label is SentimentLabel.NEGATIVE:
                scores -= proba[:, column]
        return np.clip(scores, -1.0, 1.0)

    def label(self, texts: Sequence[str]) -> tuple[SentimentLabel, ...]:
        """The most probable class of each text (or its score's label under ``thresholds``)."""
        if self.thresholds is not None:
            return self.thresholds.label(self.score(texts))
        proba = self.predict_proba(texts)
        return tuple(self.classes_[int(column)] for column in np.argmax(proba, axis=1))

    def _require_fitted(self) -> None:
        if not hasattr(self, "classifier_"):
            raise MicrofolioError(
                f"{type(self).__name__} is not fitted: call fit(texts, labels) or "
                f"{type(self).__name__}.default() first"
            )


def _labels(labels: Sequence[SentimentLabel | str]) -> list[SentimentLabel]:
    if isinstance(labels, str):
        raise InvariantError(f"labels must be a sequence of labels, got one string {labels!r}")
    out = []
    for position, label in enumerate(labels):
        try:
            out.append(SentimentLabel(label))
        except ValueError:
            raise InvariantError(
                f"labels[{position}] must be positive, negative or neutral, got {label!r}"
            ) from None
    return out
