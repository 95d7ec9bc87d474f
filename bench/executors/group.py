"""A cell group's shared state: the prepared task, its splits, the original and the reference.

Cells that share (task, seed, forget split, device) share one original model and one retrained
reference, trained once and cached (``bench.cache``); whichever process runs a cell loads them
from that cache, so the ``prepare_group`` job that trains them must finish before its cells run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable
from weakref import WeakKeyDictionary

import numpy as np
import torch
from tqdm.auto import tqdm

from bench.cache import CachedModel, ModelCache
from bench.cell_checks import check_finite
from bench.measure import measure_cost
from bench.precision import autocast
from bench.seeding import deterministic
from bench.source import code_hash
from bench.spec import CellSpec, spec_hash
from bench.splits import Splits
from bench.task import Task


@dataclass
class Group:
    task: Task
    splits: Splits
    device: torch.device
    original: CachedModel
    reference: CachedModel
    train_shadow: Callable[[str, np.ndarray], torch.nn.Module]
    #: The attacks' memoized passes (``AttackContext.memo``), shared by the group's cells: the
    #: original's passes are computed once per group.
    attack_memo: WeakKeyDictionary = field(default_factory=WeakKeyDictionary)


def build_group(cell: CellSpec, task: Task, models: ModelCache) -> Group:
    """Trains (or loads) the original and the reference of ``cell``'s group on its device."""
    device = torch.device(cell.device)
    splits = task.splits(cell.seed, cell.forget)
    recipe = task.recipe(cell.seed)
    # The original never depends on the forget spec: every deletion request of a seed starts
    # from the same model.
    base = {"task": cell.task, "task_params": cell.to_dict()["task_params"], "seed": cell.seed,
            "code": code_hash(type(task)), "device": cell.device, "precision": cell.precision}

    def train_cached(kind: str, extra: dict, indices, label: str, new_model) -> CachedModel:
        def train(model):
            tqdm.write(f"training {label} model for {cell.task} (seed {cell.seed})")
            with measure_cost(device) as costs, deterministic(), autocast(cell.precision, device):
                model = recipe.train(model.to(device), indices, device)
            check_finite(model, f"{label} model")
            tqdm.write(f"  trained in {costs['cost.unlearn_s']:.0f} s")
            return model.cpu(), costs

        cached = models.get_or_train(kind, {**base, **extra}, new_model, train)
        cached.model.to(device)  # once per group: cells copy from here, attacks read it as is
        return cached

    def train_shadow(name: str, indices) -> torch.nn.Module:
        """A model of the recipe on ``indices``, from its own seeded initialisation."""
        indices = np.sort(np.asarray(indices, dtype=np.int64))
        key = {"shadow": name, "indices": hashlib.sha256(indices.tobytes()).hexdigest()[:16]}
        # Seeded by the name *and* the data, so shadows of one name differ in their init too.
        generator = torch.Generator().manual_seed(int(spec_hash([cell.seed, name, key["indices"]])[:12], 16))
        return train_cached("shadow", key, indices, f"shadow {name}",
                            lambda: recipe.new_model(generator)).model

    original = train_cached("original", {}, splits.train, "original", recipe.initial_model)
    reference = train_cached(
        "retrain", {"forget": cell.forget.to_dict(), "forget_hash": splits.forget_hash()},
        splits.retain, "retrain", recipe.initial_model)
    return Group(task, splits, device, original, reference, train_shadow)
