"""A registered task at its smoke size (``Task.smoke_params``), with a model trained on it and
unlearning requests over it: what the method contract checks run on (``unlearnbench
check-method`` and the test suite alike). Seconds per task on a CPU, not minutes."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import torch

from bench.registry import TASKS
from bench.request import UnlearnRequest
from bench.splits import ForgetSpec, Splits
from bench.task import Task

CPU = torch.device("cpu")
FORGET = ForgetSpec(fraction=0.2)


@dataclass
class Setting:
    task: Task
    splits: Splits
    original: torch.nn.Module

    def model(self) -> torch.nn.Module:
        """A private copy of the original, as the runner hands one to each method."""
        return copy.deepcopy(self.original)

    def request(self, budget_s: float = 600.0, seed: int = 0, full_train: bool = False) -> UnlearnRequest:
        """A request built the way the runner builds one (loaders at the task's unlearning
        batch size, seeded from ``seed``); ``full_train`` for methods that declare
        ``needs_full_train``."""
        task, s, size = self.task, self.splits, self.task.unlearn_batch_size
        return UnlearnRequest(
            forget_loader=task.loader(s.forget, shuffle=True, seed=seed, batch_size=size),
            retain_loader=task.loader(s.retain, shuffle=True, seed=seed + 1, batch_size=size),
            val_loader=task.loader(s.val, shuffle=False, seed=seed, batch_size=size),
            device=CPU, seed=seed, budget_s=budget_s, recipe=task.recipe(seed),
            forget_indices=s.forget, retain_indices=s.retain, pairs=task.pair_batch,
            full_train_loader=task.loader(s.train, shuffle=True, seed=seed + 2, batch_size=size)
            if full_train else None,
        )


def build_setting(name: str, cache_dir: Path) -> Setting:
    """Task ``name`` at its smoke size, seed 0, a random 20% forget set, and its original model
    trained with the task's recipe on one thread (deterministic, and fair to a shared CPU)."""
    torch.set_num_threads(1)
    task = smoke_task(name, cache_dir)
    task.prepare(Path(cache_dir))
    splits = task.splits(0, FORGET)
    recipe = task.recipe(0)
    return Setting(task, splits, recipe.train(recipe.initial_model(), splits.train, CPU))


def smoke_task(name: str, workdir: Path) -> Task:
    """Task ``name`` built with its smoke params; a task that reads the user's disk gets a tiny
    dataset in its layout, written under ``workdir`` (``Task.smoke_data``)."""
    task_cls = TASKS.get(name)
    return task_cls(**task_cls.smoke_params, **task_cls.smoke_data(Path(workdir) / "smoke_data"))
