"""Base class of attacks and the context the runner hands them.

An attack reads models and never modifies them (the original is shared by a group's cells). The
context gives it what it needs and no more: per-example losses and probabilities on named splits
or index sets, loaders, the retrained reference (attacks, unlike methods, may see it: forgetting
is judged against it), shadow models trained with the task's recipe through the model cache,
and the cell's method run on a model with a given forget/retain split (U-LiRA). A method never
sees the test split; an attack may, and says which split it uses in its parameters.

Passes are memoized per model (``memo``): the attacks of a cell ask for the same losses more
than once (D_f's losses feed both ``df_dr_auc`` and ``mia_loss``), and every cell of a group
asks for the same passes of the shared original. The cell hands its group's memo in; its keys
are weak, so an unlearned model's entries go with it. Sound because attacks never modify the
models they read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Hashable, Sequence
from weakref import WeakKeyDictionary

import numpy as np
import torch
from torch.utils.data import DataLoader

from bench.batches import evaluating, example_losses, to_device
from bench.params import Configurable
from bench.splits import Splits
from bench.task import Task

SPLITS = ("train", "val", "test", "forget", "retain")
Indices = str | Sequence[int] | np.ndarray


@dataclass
class AttackContext:
    task: Task
    splits: Splits
    device: torch.device
    seed: int
    #: The retrained reference of this cell's group (None where a caller has none, e.g. tests).
    reference: torch.nn.Module | None = None
    #: ``train_shadow(name, indices) -> model``: a model trained from scratch with the task's
    #: recipe on ``indices``, cached under ``name`` (seeded by the cell's seed and the name).
    train_shadow: Callable[[str, np.ndarray], torch.nn.Module] | None = None
    #: ``unlearn(model, forget_indices, retain_indices) -> (model, seconds)``: the cell's method
    #: on a copy of ``model`` (the original row returns it unchanged; retrain retrains).
    unlearn: Callable[[torch.nn.Module, np.ndarray, np.ndarray], tuple[torch.nn.Module, float]] | None = None
    #: model -> {key: result} of the passes computed so far (``memoized``).
    memo: WeakKeyDictionary = field(default_factory=WeakKeyDictionary)

    def memoized(self, model: torch.nn.Module, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, or its stored result for this model and key. The result is shared:
        callers must not modify it."""
        results = self.memo.setdefault(model, {})
        if key not in results:
            results[key] = compute()
        return results[key]

    def part_key(self, part: Indices) -> str:
        """A memo key for a split name or an index set (a digest of its positions)."""
        if isinstance(part, str):
            return part
        return hashlib.sha256(np.ascontiguousarray(self.indices(part)).tobytes()).hexdigest()

    def indices(self, part: Indices) -> np.ndarray:
        """Dataset positions of a named split, or the given positions."""
        if isinstance(part, str):
            if part not in SPLITS:
                raise ValueError(f"unknown split {part!r}; one of {', '.join(SPLITS)}")
            return getattr(self.splits, part)
        return np.asarray(part, dtype=np.int64)

    def loader(self, part: Indices, *, shuffle: bool = False, batch_size: int | None = None) -> DataLoader:
        return self.task.loader(self.indices(part), shuffle=shuffle, seed=self.seed, batch_size=batch_size)

    def losses(self, model: torch.nn.Module, part: Indices) -> np.ndarray:
        """[N] per-example losses of ``model`` on a split or index set, in index order."""
        return self.memoized(model, ("losses", self.part_key(part)),
                             lambda: read_only(example_losses(model, self.loader(part), self.device).numpy()))

    def probs(self, model: torch.nn.Module, part: Indices) -> tuple[np.ndarray, np.ndarray]:
        """([N, n_classes] per-example probabilities (``example_probs``), [N] true class), in
        index order. The true class is the batch's ``label`` for classification and 1 (matched)
        for retrieval, whose probabilities are the pair's ITM match / no-match."""
        probs, targets = [], []
        with evaluating(model):
            for batch in self.loader(part):
                batch = to_device(batch, self.device)
                p = model.example_probs(batch).float().cpu()
                probs.append(p)
                targets.append(batch["label"].cpu() if "label" in batch else torch.ones(len(p), dtype=torch.long))
        if not probs:
            return np.empty((0, model.n_classes)), np.empty(0, dtype=np.int64)
        return torch.cat(probs).numpy(), torch.cat(targets).numpy()


    @torch.no_grad()
    def ranking_probs(self, model: torch.nn.Module, part: Indices,
                      distractors: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For a retrieval model: ([N, 1 + K] softmax of each pair's a->b similarity logits
        (``outputs``) over its own text, column 0, and the texts of the K ``distractors``, [N]
        zeros: the true class is the own text), in index order. Every row is scored against the
        same K texts, so a row does not depend on the rest of its batch."""
        distractors = np.asarray(distractors, dtype=np.int64)
        texts = to_device(self.task.pair_batch(distractors, distractors), self.device)["b"]
        probs = []
        with evaluating(model):
            for batch in self.loader(part):
                batch = to_device(batch, self.device)
                own = model.outputs(batch).diagonal()[:, None]
                others = model.outputs({"a": batch["a"], "b": texts})
                probs.append(torch.cat([own, others], dim=1).float().softmax(dim=1).cpu())
        if not probs:
            return np.empty((0, 1 + len(distractors))), np.empty(0, dtype=np.int64)
        probs = torch.cat(probs).numpy()
        return probs, np.zeros(len(probs), dtype=np.int64)


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, marked read-only: a memoized result is shared by every attack that asks."""
    array.flags.writeable = False
    return array


class Attack(Configurable):
    """Subclass, register with ``@bench.register_attack("name")``; declare ``directions``.
    ``run`` reads the models and must not modify them (the original is shared by a group's cells)."""

    name: str = ""
    directions: ClassVar[dict[str, str]] = {}

    def run(self, original: torch.nn.Module, unlearned: torch.nn.Module, splits: Splits,
            context: AttackContext) -> dict[str, float]:
        raise NotImplementedError
