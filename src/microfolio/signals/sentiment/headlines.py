"""The labelled financial headlines the project wrote to train and test its scorers.

``data/headlines_<version>.csv`` (columns ``headline,label``; ``#`` comment lines) holds
sentences written for microfolio, not taken from any dataset: company results and guidance,
ratings, credit, rates and macro data, commodities and fund flows, balanced between the three
labels. The label is the headline's tone for an investor in its subject.

:meth:`LabelledHeadlines.split` is deterministic: stratified by label, ``test_size`` of each
label held out, shuffled with a fixed seed, so every run trains and tests on the same headlines.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from sklearn.model_selection import train_test_split

from microfolio.errors import DataFormatError, InvariantError
from microfolio.signals.sentiment.base import SentimentLabel

__all__ = ["HEADLINES_VERSION", "SPLIT_SEED", "LabelledHeadlines", "load_labelled_headlines"]

HEADLINES_VERSION = "v1"
#: the seed of the train/test split; changing it changes every reported metric
SPLIT_SEED = 20240611
TEST_SIZE = 0.3
_VERSION = re.compile(r"v[0-9]+")


@dataclass(frozen=True, slots=True)
class LabelledHeadlines:
    """Headlines and their labels, in the same order."""

    headlines: tuple[str, ...]
    labels: tuple[SentimentLabel, ...]

    def __post_init__(self) -> None:
        if len(self.headlines) != len(self.labels):
            raise InvariantError(
                f"headlines and labels differ in length: {len(self.headlines)} and "
                f"{len(self.labels)}"
            )
        for position, label in enumerate(self.labels):
            if not isinstance(label, SentimentLabel):
                raise InvariantError(f"labels[{position}] must be a SentimentLabel, got {label!r}")

    def __len__(self) -> int:
        return len(self.headlines)

    def counts(self) -> dict[SentimentLabel, int]:
        """How many headlines carry each label."""
        return dict(Counter(self.labels))

    def split(
        self, test_size: float = TEST_SIZE, seed: int = SPLIT_SEED
    ) -> tuple[LabelledHeadlines, LabelledHeadlines]:
        """``(train, test)``: stratified by label, deterministic for a given seed."""
        if not 0.0 < test_size < 1.0:
            raise InvariantError(f"test_size must be in (0, 1), got {test_size!r}")
        train_x, test_x, train_y, test_y = train_test_split(
            list(self.headlines),
            list(self.labels),
            test_size=test_size,
            random_state=seed,
            stratify=list(self.labels),
        )
        return (
            LabelledHeadlines(tuple(train_x), tuple(train_y)),
            LabelledHeadlines(tuple(test_x), tuple(test_y)),
        )


def load_labelled_headlines(version: str = HEADLINES_VERSION) -> LabelledHeadlines:
    """The labelled headlines shipped with the package under ``version``."""
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise InvariantError(f"headlines version must look like 'v1', got {version!r}")
    name = f"headlines_{version}.csv"
    resource = resources.files("microfolio.signals.sentiment").joinpath("data").joinpath(name)
    if not resource.is_file():
        raise DataFormatError(f"labelled headlines version {version!r} do not exist ({name})")
    lines = resource.read_text(encoding="utf-8").splitlines()
    rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and line[0] != "#"]
    if not rows or rows[0][1].strip() != "headline,label":
        raise DataFormatError(f"{name}: the first row must be the header 'headline,label'")
    headlines: list[str] = []
    labels: list[SentimentLabel] = []
    for number, line in rows[1:]:
        cells = next(csv.reader([line]))
        if len(cells) != 2 or not cells[0].strip():
            raise DataFormatError(f"{name} line {number}: expected headline,label, got {line!r}")
        try:
            label = SentimentLabel(cells[1].strip())
        except ValueError:
            raise DataFormatError(
                f"{name} line {number}: label must be positive, negative or neutral, "
                f"got {cells[1]!r}"
            ) from None
        headlines.append(cells[0].strip())
        labels.append(label)
    return LabelledHeadlines(tuple(headlines), tuple(labels))
