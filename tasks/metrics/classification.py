"""Classification accuracy on forget, retain and test, as pure functions plus one helper that
runs a model over a task's loaders.

Metrics (accuracy as a fraction in [0, 1], as the leaderboard reads ``acc``):

* ``<part>.acc`` for ``forget`` (judged against retrain: it should fall to what a model that
  never saw D_f gets, not to 0), ``retain`` and ``test`` (higher is better);
* ``test.acc_<class>``, each class's accuracy on the test split, judged against retrain: under
  ``class`` forgetting the forgotten class's test accuracy should fall to the retrained model's
  (about 0), and the other classes should keep theirs. Per-class accuracy is reported on test
  only: forget and retain lack whole classes under ``class`` forgetting, where it is undefined.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from bench.batches import evaluating, to_device
from bench.directions import HIGHER, RETRAIN

PARTS = ("forget", "retain", "test")


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    """Share of correct predictions; NaN for no examples."""
    return float(np.mean(predicted == labels)) if len(labels) else float("nan")


def per_class_accuracy(predicted: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """[n_classes] accuracy on each class's examples (NaN for a class without examples)."""
    return np.array([accuracy(predicted[labels == c], labels[labels == c]) for c in range(n_classes)])


def predict(model: torch.nn.Module, loader: DataLoader, device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """(argmax of ``model.outputs``, ``label``) over a whole loader, in loader order."""
    predicted, labels = [], []
    with evaluating(model):
        for batch in loader:
            batch = to_device(batch, device)
            predicted.append(model.outputs(batch).argmax(-1).cpu())
            labels.append(batch["label"].cpu())
    return torch.cat(predicted).numpy(), torch.cat(labels).numpy()


def classification_metrics(model: torch.nn.Module, loaders: Mapping[str, DataLoader],
                           device: torch.device, class_names: Sequence[str]) -> dict[str, float]:
    """The metrics above; ``loaders`` maps each of ``PARTS`` to a loader over that split."""
    metrics = {}
    for part in PARTS:
        predicted, labels = predict(model, loaders[part], device)
        metrics[f"{part}.acc"] = accuracy(predicted, labels)
        if part == "test":
            for name, acc in zip(class_names, per_class_accuracy(predicted, labels, len(class_names))):
                metrics[f"test.acc_{name}"] = float(acc)
    return metrics


def classification_directions(class_names: Sequence[str]) -> dict[str, str]:
    """Direction of every metric ``classification_metrics`` returns."""
    return {**{f"{part}.acc": RETRAIN if part == "forget" else HIGHER for part in PARTS},
            **{f"test.acc_{name}": RETRAIN for name in class_names}}
