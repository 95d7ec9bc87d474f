"""What an unlearning method is given: never the test split, never the retrained reference."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch.utils.data import DataLoader



@dataclass(frozen=True)
class Recipe:
    """How the task trains a model from scratch; shared by the original and the retrain."""

    new_model: Callable[[], torch.nn.Module]
    train: Callable[[torch.nn.Module, DataLoader, torch.device], torch.nn.Module]


@dataclass
class UnlearnRequest:
    forget_loader: DataLoader
    retain_loader: DataLoader
    val_loader: DataLoader
    device: torch.device
    seed: int
    budget_s: float
    recipe: Recipe
    started_at: float = field(default_factory=time.perf_counter)

    def seconds_left(self) -> float:
        """Methods with open-ended loops stop early when their budget runs out."""
        return self.budget_s - (time.perf_counter() - self.started_at)

