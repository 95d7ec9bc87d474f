"""Classification metrics against hand-worked cases."""

import math

import numpy as np
import torch
from torch import nn

from bench.directions import HIGHER, RETRAIN
from tasks.metrics.classification import (accuracy, classification_directions,
                                          classification_metrics, per_class_accuracy)


def test_accuracy_and_per_class_accuracy():
    predicted, labels = np.array([0, 1, 1, 2, 0]), np.array([0, 1, 2, 2, 2])
    assert accuracy(predicted, labels) == 3 / 5
    np.testing.assert_allclose(per_class_accuracy(predicted, labels, 4)[:3], [1.0, 1.0, 1 / 3])
    assert math.isnan(per_class_accuracy(predicted, labels, 4)[3])  # no example of class 3
    assert math.isnan(accuracy(predicted[:0], labels[:0]))


class Fixed(nn.Module):
    """Predicts class ``a`` for each example."""

    def outputs(self, batch):
        return nn.functional.one_hot(batch["a"], 2).float()


def test_metrics_per_part_and_directions():
    loaders = {
        "forget": [{"a": torch.tensor([1, 1]), "label": torch.tensor([1, 1])}],
        "retain": [{"a": torch.tensor([0, 1]), "label": torch.tensor([0, 0])}],
        "test": [{"a": torch.tensor([0, 1, 1]), "label": torch.tensor([0, 0, 1])}],
    }
    metrics = classification_metrics(Fixed(), loaders, torch.device("cpu"), ("no", "yes"))
    assert metrics == {"forget.acc": 1.0, "retain.acc": 0.5, "test.acc": 2 / 3,
                       "test.acc_no": 0.5, "test.acc_yes": 1.0}
    directions = classification_directions(("no", "yes"))
    assert set(directions) == set(metrics)
    assert directions["forget.acc"] == RETRAIN and directions["test.acc"] == HIGHER
    assert directions["test.acc_no"] == RETRAIN  # a forgotten class's test accuracy should fall
