"""Base class of attacks and the context the runner hands them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from bench.batches import example_losses
from bench.params import Configurable
from bench.splits import Splits
from bench.task import Task


@dataclass
class AttackContext:
    task: Task
    splits: Splits
    device: torch.device
    seed: int

    def loader(self, split: str):
        return self.task.loader(getattr(self.splits, split), shuffle=False, seed=self.seed)

    def losses(self, model: torch.nn.Module, split: str) -> np.ndarray:
        """Per-example losses of ``model`` on a named split (``forget``, ``retain``, ``test``...)."""
        return example_losses(model, self.loader(split), self.device).numpy()


class Attack(Configurable):
    """Subclass, register with ``@bench.register_attack("name")``; declare ``directions``.
    ``run`` reads the models and must not modify them (the original is shared by a group's cells)."""

    name: str = ""
    directions: ClassVar[dict[str, str]] = {}

    def run(self, original: torch.nn.Module, unlearned: torch.nn.Module, splits: Splits,
            context: AttackContext) -> dict[str, float]:
        raise NotImplementedError
