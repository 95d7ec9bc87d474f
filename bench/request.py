"""What an unlearning method is given: never the test split, never the retrained reference."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader


@dataclass(frozen=True)
class Recipe:
    """How the task builds and trains a model from scratch, for one seed; shared by the original
    and the retrained reference, so ``retrain`` run as a method reproduces the reference.

    ``new_model(generator)``: a fresh initialisation drawn from ``generator`` alone (the global
    RNG is neither read nor advanced). ``random_model(generator)``: the same architecture,
    randomly initialised even where ``new_model`` would load pretrained weights (an incompetent
    teacher). ``train(model, indices, device)``: the training recipe on those dataset positions,
    with its own loader, batch size and seed.
    """

    seed: int
    new_model: Callable[[torch.Generator], torch.nn.Module]
    random_model: Callable[[torch.Generator], torch.nn.Module]
    train: Callable[[torch.nn.Module, Sequence[int], torch.device], torch.nn.Module]

    def initial_model(self) -> torch.nn.Module:
        """The initialisation the original and the retrained reference both start from."""
        return self.new_model(torch.Generator().manual_seed(self.seed))


Batch = Mapping[str, Any]


@dataclass
class UnlearnRequest:
    """``pairs(a_indices, b_indices)`` builds one batch that pairs the first modality of items
    ``a_indices`` with the text of items ``b_indices`` (dataset positions from ``forget_indices``
    or ``retain_indices``), padded like any batch; its ``index`` is ``a_indices``.
    ``full_train_loader`` (D_f ∪ D_r) is set only for methods that declare
    ``needs_full_train``. A method that stops early at its deadline sets ``stopped_early``
    (``bench.loops.run_steps`` does it for you); the record is then flagged."""

    forget_loader: DataLoader
    retain_loader: DataLoader
    val_loader: DataLoader
    device: torch.device
    seed: int
    budget_s: float
    recipe: Recipe
    forget_indices: np.ndarray
    retain_indices: np.ndarray
    pairs: Callable[[Sequence[int], Sequence[int]], Batch]
    full_train_loader: DataLoader | None = None
    started_at: float = field(default_factory=time.perf_counter)
    stopped_early: bool = False

    def seconds_left(self) -> float:
        """Soft deadline: methods with open-ended loops stop when it reaches zero."""
        return self.budget_s - (time.perf_counter() - self.started_at)

    def out_of_time(self) -> bool:
        """True, and ``stopped_early`` set, once the deadline has passed: the check a method
        makes before each step or one-shot pass it may not start."""
        if self.seconds_left() <= 0:
            self.stopped_early = True
            return True
        return False

    def generator(self, stream: int = 0) -> torch.Generator:
        """A CPU generator seeded from the cell's seed; ``stream`` separates independent uses."""
        return torch.Generator().manual_seed(self.seed * 1_000_003 + stream)
