"""The ``validation`` attack measures the task metric on the validation split, exactly as the
test metric is measured, and never reads the test split."""

import numpy as np
import pytest
import torch

from bench.attack import AttackContext
from bench.registry import ATTACKS
from bench.splits import Splits
from bench.tuning.validation import Validation


class NoTestSplits:
    """The splits with the test part instrumented: reading it fails the test."""

    def __init__(self, splits):
        self._splits = splits

    def __getattr__(self, part):
        if part == "test":
            raise AssertionError("the validation attack read the test split")
        return getattr(self._splits, part)


@pytest.mark.parametrize("task_name", ["emoji_retrieval", "emoji_matching"])
def test_validation_metric_equals_the_test_metric_measured_on_validation(setting_for, task_name):
    setting = setting_for(task_name)
    task, splits, model = setting.task, setting.splits, setting.original
    context = AttackContext(task, NoTestSplits(splits), torch.device("cpu"), seed=0)
    metrics = ATTACKS.get("validation")().run(model, model, NoTestSplits(splits), context)
    score = "r_mean" if model.kind == "retrieval" else "acc"
    assert set(metrics) == {f"val.{score}"}
    swapped = Splits(train=splits.train, val=splits.test, test=splits.val, forget=splits.forget,
                     retain=splits.retain)
    assert metrics[f"val.{score}"] == task.evaluate(model, swapped, torch.device("cpu"), 0)[f"test.{score}"]
    assert not np.array_equal(np.sort(splits.val), np.sort(splits.test))  # a different split than test


def test_is_registered_with_higher_directions():
    assert ATTACKS.get("validation") is Validation
    assert set(Validation.directions.values()) == {"higher"}
