"""The labelled headlines: size, balance, and a deterministic stratified split."""

from __future__ import annotations

import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.sentiment import (
    LabelledHeadlines,
    SentimentLabel,
    load_labelled_headlines,
)


def test_the_set_is_large_balanced_and_free_of_duplicates() -> None:
    data = load_labelled_headlines()

    counts = data.counts()
    assert len(data) >= 300
    assert set(counts) == set(SentimentLabel)
    assert max(counts.values()) - min(counts.values()) <= 5
    assert len(set(data.headlines)) == len(data)


def test_split_is_70_30_stratified_disjoint_and_deterministic(
    split: tuple[LabelledHeadlines, LabelledHeadlines],
) -> None:
    train, test = split
    again_train, again_test = load_labelled_headlines().split()

    assert (len(train), len(test)) == (262, 113)
    assert set(train.headlines).isdisjoint(test.headlines)
    assert train == again_train
    assert test == again_test
    for label in SentimentLabel:
        assert abs(test.counts()[label] - 0.3 * (train.counts()[label] + test.counts()[label])) < 1


def test_another_seed_gives_another_split() -> None:
    data = load_labelled_headlines()

    assert data.split(seed=1)[1] != data.split()[1]


def test_bad_versions_and_mismatched_lengths_are_refused() -> None:
    with pytest.raises(DataFormatError, match="version 'v99' do not exist"):
        load_labelled_headlines("v99")
    with pytest.raises(InvariantError, match="differ in length"):
        LabelledHeadlines(("a", "b"), (SentimentLabel.NEUTRAL,))
    with pytest.raises(InvariantError, match="test_size"):
        load_labelled_headlines().split(test_size=1.5)
