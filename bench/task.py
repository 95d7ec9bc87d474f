"""Base class of tasks: data, deterministic splits, the model recipe, and evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import torch
from torch.utils.data import DataLoader

from bench.params import Configurable
from bench.request import Recipe
from bench.splits import ForgetSpec, Splits


class Task(Configurable):
    """Subclass, register with ``@bench.register_task("name")``.

    Constructor arguments are the task's hyperparameters (data size, model size, epochs); they
    are part of the cell id, so two tasks with equal params build equal splits and models.
    """

    name: str = ""
    #: Params for a run of seconds rather than minutes (tiny data and model); the contract
    #: tests build every registered task with them, so a new task is tested without new code.
    smoke_params: ClassVar[dict[str, Any]] = {}
    #: Batch size of the loaders in an UnlearnRequest (None: the training batch size). The same
    #: for every method on a task, so no method gets more or fewer steps per pass by design.
    unlearn_batch_size: int | None = None

    def prepare(self, cache_dir: Path) -> None:
        """Loads the data and any frozen features; idempotent. ``cache_dir`` may hold features
        derived from the data (never trusted blindly: the task checks what it reads)."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def splits(self, seed: int, forget: ForgetSpec) -> Splits:
        return Splits.build(len(self), seed, forget)

    def recipe(self, seed: int) -> Recipe:
        raise NotImplementedError

    def loader(self, indices, *, shuffle: bool, seed: int, batch_size: int | None = None) -> DataLoader:
        raise NotImplementedError

    def evaluate(self, model: torch.nn.Module, splits: Splits, device: torch.device, seed: int) -> dict[str, float]:
        """Named metrics ``<part>.<metric>`` of ``model`` on forget, retain and test."""
        raise NotImplementedError

    def metric_directions(self) -> dict[str, str]:
        """Direction (bench.directions) of every metric ``evaluate`` returns."""
        raise NotImplementedError
