"""Shared fixtures for the sentiment tests: one CPU thread, the labelled split, one fitted
embedding scorer for the session (loaded with the network switched off)."""

from __future__ import annotations

import socket

import pytest
import torch

from microfolio.signals.sentiment import EmbeddingScorer, LabelledHeadlines, load_labelled_headlines

torch.set_num_threads(1)


class NetworkUsedError(AssertionError):
    """A test tried to open a network connection."""


def _refuse(*args: object, **kwargs: object) -> None:
    raise NetworkUsedError(f"network access attempted: {args!r}")


@pytest.fixture(scope="session")
def split() -> tuple[LabelledHeadlines, LabelledHeadlines]:
    """``(train, test)`` of the shipped labelled headlines."""
    return load_labelled_headlines().split()


@pytest.fixture(scope="session")
def embedding_scorer() -> EmbeddingScorer:
    """``EmbeddingScorer.default()``, fitted while every socket connection is refused."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket, "create_connection", _refuse)
        scorer = EmbeddingScorer.default()
        scorer.score(["warm-up headline"])
    return scorer
