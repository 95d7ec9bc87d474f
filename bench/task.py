"""Base class of tasks: data, deterministic splits, the model recipe, and evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from bench.params import Configurable
from bench.request import Recipe
from bench.splits import ForgetSpec, Splits

#: The constructor parameter of a task that reads its data from the user's disk: filled from
#: ``--data-dir`` or a suite's ``data_dir:``, carried by each cell beside (not in) its id.
DATA_DIR = "data_dir"


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
    #: Whether ``item_labels`` returns class labels (``class`` forgetting runs only where it does).
    has_labels: ClassVar[bool] = False

    @classmethod
    def smoke_data(cls, root: Path) -> dict[str, Any]:
        """Params a smoke run adds to ``smoke_params``: a task that reads the user's disk writes
        a tiny dataset in its layout under ``root`` and returns ``{DATA_DIR: ...}``."""
        return {}

    def get_params(self) -> dict[str, Any]:
        """The hyperparameters, without ``data_dir`` (where the data lies is not what it is:
        moving a dataset keeps its cell ids and cached models)."""
        return {k: v for k, v in super().get_params().items() if k != DATA_DIR}

    def check(self, forget_specs: Sequence[ForgetSpec]) -> None:
        """Raises ``UserError`` for what can be checked before anything is trained or written
        (data present and large enough, forget specs that fit); must be cheap."""

    def prepare(self, cache_dir: Path) -> None:
        """Loads the data and any frozen features; idempotent. ``cache_dir`` may hold features
        derived from the data (never trusted blindly: the task checks what it reads)."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def item_groups(self) -> np.ndarray:
        """[N] group id of each item (e.g. its image); splits never cut a group. Default: one
        item per group."""
        return np.arange(len(self))

    def item_labels(self) -> np.ndarray | None:
        """[N] class label of each item, for ``class`` forgetting; None when there are none."""
        return None

    def splits(self, seed: int, forget: ForgetSpec) -> Splits:
        return Splits.build(len(self), seed, forget, self.item_groups(), self.item_labels())

    def recipe(self, seed: int) -> Recipe:
        raise NotImplementedError

    def loader(self, indices, *, shuffle: bool, seed: int, batch_size: int | None = None) -> DataLoader:
        raise NotImplementedError

    def pair_batch(self, a_indices: Sequence[int], b_indices: Sequence[int]) -> dict[str, Any]:
        """One batch pairing the first modality of items ``a_indices`` with the text of items
        ``b_indices`` (re-paired data for MultiDelete and random-label methods)."""
        raise NotImplementedError

    def evaluate(self, model: torch.nn.Module, splits: Splits, device: torch.device, seed: int) -> dict[str, float]:
        """Named metrics ``<part>.<metric>`` of ``model`` on forget, retain and test."""
        raise NotImplementedError

    def metric_directions(self) -> dict[str, str]:
        """Direction (bench.directions) of every metric ``evaluate`` returns."""
        raise NotImplementedError
