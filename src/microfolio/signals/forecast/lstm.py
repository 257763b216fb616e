"""A small LSTM over each ticker's recent feature vectors, predicting its label.

For a row ``(t, ticker)`` the input is the sequence of the ticker's feature vectors on the last
``lookback`` dates of ``X`` up to ``t`` (consecutive dates of ``X``, every feature present);
rows without such a window are neither fitted nor scored, so a caller predicting from date
``t`` on hands ``predict`` the ``lookback - 1`` dates before it too (``context_sessions``).
With ``zscore_by_date`` the features are first z-scored within each date's cross-section (see
:mod:`microfolio.signals.forecast.zscore`). Features are then standardised with the training
rows' means and standard deviations only, the label with the training labels' mean and
standard deviation. One LSTM layer reads the window,
dropout and a linear head map its last hidden state to the label; Adam minimises the mean
squared error in shuffled mini-batches for ``epochs`` passes.

Confidence (per row), by Monte Carlo dropout (Gal & Ghahramani 2016): the score is the
deterministic prediction (dropout off); ``u`` is the standard deviation, in label units, of
``mc_samples`` predictions with dropout on.

PyTorch is optional (``pip install 'microfolio[ml]'``) and imported only when a model is fitted
or used, so importing this package does not import it. Fitting and predicting run on one CPU
thread with deterministic algorithms under a forked RNG seeded with ``random_state``: the same
data and parameters give bit-identical scores, and the caller's torch RNG, thread count and
determinism flag are restored afterwards.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import InvariantError, MicrofolioError
from microfolio.features import INDEX_NAMES
from microfolio.signals.forecast._checks import (
    check_bool,
    check_count,
    check_fraction,
    check_positive,
)
from microfolio.signals.forecast.base import BaseForecaster
from microfolio.signals.forecast.zscore import model_inputs

if TYPE_CHECKING:
    import torch

__all__ = ["LstmForecaster", "sequence_windows"]

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

#: rows per forward pass when predicting (bounds memory, not results)
_PREDICT_BATCH = 4096
#: gradient-norm clip
_CLIP = 1.0


def sequence_windows(frame: pd.DataFrame, lookback: int) -> tuple[Ints, Mask]:
    """For each row of a (date, ticker) frame, the positions of the ``lookback`` rows of its
    ticker ending at it, oldest first, and whether that window is valid: ``lookback``
    consecutive dates of the frame, every feature present on each."""
    n = len(frame)
    dates = frame.index.get_level_values(INDEX_NAMES[0])
    tickers = frame.index.get_level_values(INDEX_NAMES[1])
    date_pos, _ = pd.factorize(dates, sort=True)
    ticker_code, _ = pd.factorize(tickers, sort=True)
    complete = ~np.isnan(frame.to_numpy(dtype=np.float64)).any(axis=1)
    order = np.lexsort((date_pos, ticker_code))
    t, d, c = ticker_code[order], date_pos[order], complete[order]
    link = np.zeros(n, dtype=bool)
    link[1:] = (t[1:] == t[:-1]) & (d[1:] == d[:-1] + 1) & c[1:] & c[:-1]
    positions = np.arange(n)
    last_start = np.maximum.accumulate(np.where(~link, positions, 0))
    valid_sorted = c & (positions - last_start + 1 >= lookback)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = positions
    offsets = np.arange(-(lookback - 1), 1)
    sorted_window = np.clip(inverse[:, None] + offsets[None, :], 0, max(n - 1, 0))
    windows: Ints = order[sorted_window].astype(np.int64)
    valid: Mask = valid_sorted[inverse]
    return windows, valid


def _require_torch() -> None:
    if importlib.util.find_spec("torch") is None:
        raise MicrofolioError(
            "LstmForecaster needs PyTorch, which is not installed: pip install 'microfolio[ml]'"
        )


@contextmanager
def _deterministic(seed: int) -> Iterator[None]:
    """One thread, deterministic algorithms, a forked RNG seeded with ``seed``; all restored."""
    import torch

    threads = torch.get_num_threads()
    strict = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.use_deterministic_algorithms(strict)
        torch.set_num_threads(threads)


class LstmForecaster(BaseForecaster):
    """LSTM over the last ``lookback`` feature vectors of each ticker (see the module).

    Learned state: ``lstm_`` and ``head_`` (the torch modules), ``feature_mean_`` and
    ``feature_scale_`` (the input standardisation), ``label_mean_``, ``train_loss_`` (the last
    epoch's mean squared error, standardised) plus the base's attributes.
    """

    model_id: ClassVar[str] = "lstm"

    lstm_: torch.nn.LSTM
    head_: torch.nn.Linear
    feature_mean_: Floats
    feature_scale_: Floats
    label_mean_: float
    train_loss_: float

    def __init__(
        self,
        lookback: int = 21,
        hidden_size: int = 16,
        epochs: int = 3,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        dropout: float = 0.1,
        mc_samples: int = 20,
        zscore_by_date: bool = False,
        random_state: int = 0,
    ) -> None:
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.dropout = dropout
        self.mc_samples = mc_samples
        self.zscore_by_date = zscore_by_date
        self.random_state = random_state

    @property
    def context_sessions(self) -> int:
        return check_count("lookback", self.lookback, 1) - 1

    def _check_params(self) -> None:
        check_count("lookback", self.lookback, 1)
        check_count("hidden_size", self.hidden_size, 1)
        check_count("epochs", self.epochs, 1)
        check_count("batch_size", self.batch_size, 1)
        check_positive("learning_rate", self.learning_rate)
        if check_fraction("dropout", self.dropout) == 0.0:
            raise InvariantError(
                f"dropout must be above 0 (Monte Carlo dropout measures the confidence), "
                f"got {self.dropout!r}"
            )
        check_count("mc_samples", self.mc_samples, 2)
        check_bool("zscore_by_date", self.zscore_by_date)
        check_count("random_state", self.random_state, 0)
        _require_torch()

    def _usable(self, frame: pd.DataFrame) -> Mask:
        _, valid = sequence_windows(frame, int(self.lookback))
        return valid

    def _standardised(self, frame: pd.DataFrame) -> Floats:
        values = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)
        z: Floats = (values - self.feature_mean_) / self.feature_scale_
        z[np.isnan(z)] = 0.0  # never inside a valid window
        return z

    def _fit(self, frame: pd.DataFrame, labels: Floats, train: Mask) -> None:
        import torch

        values = model_inputs(frame, bool(self.zscore_by_date)).to_numpy(dtype=np.float64)
        complete = ~np.isnan(values).any(axis=1)
        mean = values[complete].mean(axis=0)
        scale = values[complete].std(axis=0)
        self.feature_mean_ = mean
        self.feature_scale_ = np.where(scale > 0.0, scale, 1.0)
        self.label_mean_ = float(labels[train].mean())
        windows, _ = sequence_windows(frame, int(self.lookback))
        target = (labels[train] - self.label_mean_) / self.label_scale_
        with _deterministic(int(self.random_state)):
            lstm = torch.nn.LSTM(len(frame.columns), int(self.hidden_size), batch_first=True)
            head = torch.nn.Linear(int(self.hidden_size), 1)
            z = torch.tensor(self._standardised(frame), dtype=torch.float32)
            rows = torch.tensor(windows[train], dtype=torch.long)
            y = torch.tensor(target, dtype=torch.float32)
            self.train_loss_ = self._train(lstm, head, z, rows, y)
        self.lstm_, self.head_ = lstm, head

    def _train(
        self,
        lstm: torch.nn.LSTM,
        head: torch.nn.Linear,
        z: torch.Tensor,
        rows: torch.Tensor,
        y: torch.Tensor,
    ) -> float:
        import torch

        parameters = [*lstm.parameters(), *head.parameters()]
        optimiser = torch.optim.Adam(parameters, lr=float(self.learning_rate))
        batch, dropout = int(self.batch_size), float(self.dropout)
        mean_loss = float("nan")
        for _ in range(int(self.epochs)):
            order = torch.randperm(len(rows))
            total = 0.0
            for first in range(0, len(rows), batch):
                chosen = order[first : first + batch]
                optimiser.zero_grad()
                predicted = _forward(lstm, head, z[rows[chosen]], dropout, active=True)
                loss = torch.mean(torch.square(predicted - y[chosen]))
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(parameters, _CLIP)
                optimiser.step()
                total += float(loss.detach()) * len(chosen)
            mean_loss = total / len(rows)
        return mean_loss

    def _predict(self, frame: pd.DataFrame, usable: Mask) -> tuple[Floats, Floats | float]:
        import torch

        windows, _ = sequence_windows(frame, int(self.lookback))
        dropout, draws = float(self.dropout), int(self.mc_samples)
        scores, spreads = [], []
        with _deterministic(int(self.random_state)), torch.no_grad():
            z = torch.tensor(self._standardised(frame), dtype=torch.float32)
            rows = torch.tensor(windows[usable], dtype=torch.long)
            for first in range(0, len(rows), _PREDICT_BATCH):
                x = z[rows[first : first + _PREDICT_BATCH]]
                scores.append(_forward(self.lstm_, self.head_, x, dropout, active=False))
                sampled = torch.stack(
                    [
                        _forward(self.lstm_, self.head_, x, dropout, active=True)
                        for _ in range(draws)
                    ]
                )
                spreads.append(sampled.std(dim=0))
        score = torch.cat(scores).numpy().astype(np.float64)
        spread = torch.cat(spreads).numpy().astype(np.float64)
        return self.label_mean_ + self.label_scale_ * score, self.label_scale_ * spread


def _forward(
    lstm: torch.nn.LSTM, head: torch.nn.Linear, x: torch.Tensor, dropout: float, *, active: bool
) -> torch.Tensor:
    """Predicted standardised label for each window in ``x`` (batch, lookback, features)."""
    import torch

    output, _ = lstm(x)
    last = torch.nn.functional.dropout(output[:, -1, :], p=dropout, training=active)
    prediction: torch.Tensor = head(last).squeeze(-1)
    return prediction
