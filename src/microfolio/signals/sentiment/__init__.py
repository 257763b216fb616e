"""News sentiment: scorers (lexicon, embedding), the labelled headlines, and aggregation.

Scorers share one interface (:class:`SentimentScorer`): ``score(texts)`` gives each text a score
in ``[-1, 1]`` and ``label(texts)`` calls it positive, negative or neutral.

* :class:`LexiconScorer`: VADER's compound score with the project's finance lexicon on top
  (versioned data, ``data/finance_lexicon_v1.csv``); positive at ``>= 0.05``, negative at
  ``<= -0.05``. Nothing to fit.
* :class:`EmbeddingScorer`: all-MiniLM-L6-v2 sentence embeddings (the packaged model, loaded
  offline, once per scorer) and a logistic-regression head (scikit-learn contract,
  ``fit(texts, labels)``); score ``P(positive) - P(negative)``, label the most probable class.
  :meth:`EmbeddingScorer.default` fits it on the training split of the labelled headlines.
* :func:`load_labelled_headlines`: 375 headlines written for the project, balanced between the
  three labels, with a deterministic stratified 70/30 split; :func:`evaluate` measures a scorer
  on held-out headlines.
* :func:`aggregate`: per-session sentiment by ticker, asset class and market with exponential
  decay, and the market's ``risk_sentiment`` with its ``stress(threshold)`` flag.
"""

from microfolio.signals.sentiment.aggregate import MARKET, SessionSentiment, aggregate
from microfolio.signals.sentiment.base import (
    SentimentLabel,
    SentimentScorer,
    Thresholds,
)
from microfolio.signals.sentiment.embedding import DEFAULT_C, EmbeddingScorer
from microfolio.signals.sentiment.encoder import MiniLMEncoder, TextEncoder
from microfolio.signals.sentiment.evaluation import Evaluation, evaluate
from microfolio.signals.sentiment.finance_lexicon import (
    LEXICON_VERSION,
    FinanceLexicon,
    load_finance_lexicon,
)
from microfolio.signals.sentiment.headlines import (
    HEADLINES_VERSION,
    SPLIT_SEED,
    LabelledHeadlines,
    load_labelled_headlines,
)
from microfolio.signals.sentiment.lexicon import LEXICON_THRESHOLDS, LexiconScorer

__all__ = [
    "DEFAULT_C",
    "HEADLINES_VERSION",
    "LEXICON_THRESHOLDS",
    "LEXICON_VERSION",
    "MARKET",
    "SPLIT_SEED",
    "EmbeddingScorer",
    "Evaluation",
    "FinanceLexicon",
    "LabelledHeadlines",
    "LexiconScorer",
    "MiniLMEncoder",
    "SentimentLabel",
    "SentimentScorer",
    "SessionSentiment",
    "TextEncoder",
    "Thresholds",
    "aggregate",
    "evaluate",
    "load_finance_lexicon",
    "load_labelled_headlines",
]
