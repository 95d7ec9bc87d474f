"""Shared machinery of the image-text and graph-text tasks: item ``i`` pairs a first-modality
item ``a`` (an image, a molecule graph) with a text ``b`` (frozen MiniLM token states).

A subclass says how to load its items and build its first-modality tower and its model; this
base turns them into loaders, re-paired batches and the training recipe. Retrieval
(``tasks.pair_retrieval``) and matching (``tasks.pair_matching``) add their models and metrics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from bench.request import Recipe
from bench.seeding import build_seeded
from bench.task import Task
from tasks.text_features import TextTokens, cached_caption_tokens
from tasks.training import train_pairs


class PairTask(Task):
    """Subclass constructors list every hyperparameter in their own signature (``get_params``
    reads it) and pass the shared ones (model width, training recipe) here."""

    def __init__(self, *, dim: int, fusion_layers: int, epochs: int, batch_size: int, lr: float,
                 max_text_tokens: int, unlearn_batch_size: int):
        self.dim = dim
        self.fusion_layers = fusion_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.max_text_tokens = max_text_tokens
        self.unlearn_batch_size = unlearn_batch_size
        self._text: TextTokens | None = None

    # -- what a subclass provides ----------------------------------------------------------
    def load_items(self) -> tuple[Any, list[str]]:
        """Returns (first-modality items indexable by a list of positions, the text of each)."""
        raise NotImplementedError

    def collate_a(self, positions: Sequence[int]) -> Any:
        raise NotImplementedError

    def new_a_tower(self) -> torch.nn.Module:
        raise NotImplementedError

    def build_model(self, a_tower: torch.nn.Module) -> torch.nn.Module:
        """The task's pair model over a fresh first-modality tower."""
        raise NotImplementedError

    def available_items(self) -> int:
        """How many items the data holds with these params, counted cheaply (no images, no
        text features); raises ``UserError`` when the params ask for more than exists."""
        raise NotImplementedError

    # -- Task contract ---------------------------------------------------------------------
    def check(self, forget_specs) -> None:
        n = self.available_items()
        n_train = n - 2 * round(0.1 * n)  # one item per group: val and test take 10% each
        for spec in forget_specs:
            spec.check(n_train, has_labels=self.has_labels)

    def prepare(self, cache_dir: Path) -> None:
        if self._text is not None:
            return
        self._items, captions = self.load_items()
        self._text_ids = np.unique(captions, return_inverse=True)[1]  # equal ids = identical text
        self._text = cached_caption_tokens(captions, self.max_text_tokens, cache_dir)

    def __len__(self) -> int:
        self._require_prepared()
        return len(self._text.mask)

    def loader(self, indices, *, shuffle: bool, seed: int, batch_size: int | None = None) -> DataLoader:
        self._require_prepared()
        generator = torch.Generator().manual_seed(seed)
        return DataLoader(
            [int(i) for i in indices], batch_size=batch_size or self.batch_size, shuffle=shuffle,
            collate_fn=self._collate, generator=generator,
        )

    def new_model(self, generator: torch.Generator) -> torch.nn.Module:
        """A fresh model drawn from ``generator`` alone. Every weight is trained from scratch
        (the frozen MiniLM states are features of the data, not part of the model), so this is
        also the task's ``random_model``."""
        return build_seeded(generator, lambda: self.build_model(self.new_a_tower()))

    def recipe(self, seed: int) -> Recipe:
        def train(model, indices, device):
            loader = self.loader(indices, shuffle=True, seed=seed)
            with torch.random.fork_rng(devices=[]):  # ITM negatives draw from the global RNG
                return train_pairs(model, loader, device, epochs=self.epochs, lr=self.lr,
                                   seed=seed, desc=f"training {self.name}")

        return Recipe(seed=seed, new_model=self.new_model, random_model=self.new_model, train=train)

    def pair_batch(self, a_indices, b_indices) -> dict[str, Any]:
        self._require_prepared()
        a_idx, b_idx = torch.as_tensor(a_indices).long(), torch.as_tensor(b_indices).long()
        if a_idx.shape != b_idx.shape:
            raise ValueError(f"pair_batch needs as many texts as items, got {len(b_idx)} and {len(a_idx)}")
        mask = self._text.mask[b_idx]
        length = int(mask.sum(1).max())  # trim padding shared by the whole batch
        return {
            "a": self.collate_a(a_idx.tolist()),
            "b": TextTokens(self._text.states[b_idx, :length], mask[:, :length]),
            "index": a_idx,
        }

    # -- internals -------------------------------------------------------------------------
    def _collate(self, positions: list[int]) -> dict[str, Any]:
        return self.pair_batch(positions, positions)

    def _require_prepared(self) -> None:
        if self._text is None:
            raise RuntimeError(f"task {self.name!r}: call prepare(cache_dir) first")
