"""The embedding scorer: packaged MiniLM loaded offline, logistic head, scikit-learn contract."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pytest
from sklearn.base import clone

from microfolio.errors import InvariantError, MicrofolioError
from microfolio.signals.sentiment import (
    DEFAULT_C,
    EmbeddingScorer,
    LabelledHeadlines,
    MiniLMEncoder,
    SentimentLabel,
    Thresholds,
    evaluate,
)
from microfolio.signals.sentiment.encoder import MINILM_DIMENSION

#: measured on the test split: accuracy 0.743, macro-F1 0.746 (113 headlines, majority 0.336);
#: floors with margin, well above what a broken encoder or head would score (about 1/3)
EMBEDDING_ACCURACY_FLOOR = 0.65
EMBEDDING_MACRO_F1_FLOOR = 0.65


class KeywordEncoder:
    """A tiny deterministic encoder for testing the head without the model."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.array(
            [[t.count("up"), t.count("down"), t.count("flat")] for t in texts], dtype=float
        )


TOY_TEXTS = ["up up", "up", "down down", "down", "flat", "flat flat"] * 3
TOY_LABELS = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 3


def test_default_loads_the_packaged_model_offline(embedding_scorer: EmbeddingScorer) -> None:
    encoder = embedding_scorer.encoder_

    assert isinstance(encoder, MiniLMEncoder)
    assert encoder.loaded
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert encoder.encode(["Acme beats estimates"]).shape == (1, MINILM_DIMENSION)


def test_held_out_accuracy_beats_floor_and_majority(
    embedding_scorer: EmbeddingScorer, split: tuple[LabelledHeadlines, LabelledHeadlines]
) -> None:
    train, test = split

    result = evaluate(embedding_scorer, test)

    assert embedding_scorer.n_train_ == len(train)
    assert result.accuracy >= EMBEDDING_ACCURACY_FLOOR
    assert result.macro_f1 >= EMBEDDING_MACRO_F1_FLOOR
    assert result.accuracy > result.majority_rate + 0.2


def test_scores_are_bounded_and_signed_sensibly(embedding_scorer: EmbeddingScorer) -> None:
    texts = [
        "Harlow Systems reports record profit and raises its dividend",
        "Harlow Systems misses forecasts and announces layoffs",
    ]

    good, bad = embedding_scorer.score(texts)

    assert -1.0 <= bad < 0.0 < good <= 1.0
    assert embedding_scorer.label(texts) == (SentimentLabel.POSITIVE, SentimentLabel.NEGATIVE)


def test_fit_follows_the_scikit_learn_contract() -> None:
    encoder = KeywordEncoder()
    scorer = EmbeddingScorer(encoder=encoder)

    fitted = scorer.fit(TOY_TEXTS, TOY_LABELS)

    assert fitted is scorer
    assert scorer.get_params()["C"] == DEFAULT_C
    assert scorer.classes_ == (
        SentimentLabel.NEGATIVE,
        SentimentLabel.NEUTRAL,
        SentimentLabel.POSITIVE,
    )
    assert not hasattr(clone(scorer), "classifier_")
    assert scorer.label(["up", "down", "flat"]) == (
        SentimentLabel.POSITIVE,
        SentimentLabel.NEGATIVE,
        SentimentLabel.NEUTRAL,
    )


def test_score_is_probability_of_positive_minus_negative() -> None:
    scorer = EmbeddingScorer(encoder=KeywordEncoder()).fit(TOY_TEXTS, TOY_LABELS)

    proba = scorer.predict_proba(["up down up"])
    columns = {label: i for i, label in enumerate(scorer.classes_)}

    expected = (
        proba[0, columns[SentimentLabel.POSITIVE]] - proba[0, columns[SentimentLabel.NEGATIVE]]
    )
    assert scorer.score(["up down up"])[0] == pytest.approx(expected)
    assert proba.sum() == pytest.approx(1.0)


def test_thresholds_when_given_label_the_score() -> None:
    scorer = EmbeddingScorer(encoder=KeywordEncoder(), thresholds=Thresholds(-0.99, 0.99))
    scorer.fit(TOY_TEXTS, TOY_LABELS)

    assert scorer.label(["up"]) == (SentimentLabel.NEUTRAL,)


def test_unfitted_and_bad_input_are_refused() -> None:
    with pytest.raises(MicrofolioError, match="not fitted"):
        EmbeddingScorer(encoder=KeywordEncoder()).score(["up"])
    with pytest.raises(InvariantError, match="labels\\[1\\] must be positive"):
        EmbeddingScorer(encoder=KeywordEncoder()).fit(["up", "down"], ["positive", "bullish"])
    with pytest.raises(InvariantError, match="differ in length"):
        EmbeddingScorer(encoder=KeywordEncoder()).fit(["up"], ["positive", "negative"])
    with pytest.raises(InvariantError, match="C must be a positive"):
        EmbeddingScorer(encoder=KeywordEncoder(), C=0).fit(TOY_TEXTS, TOY_LABELS)
