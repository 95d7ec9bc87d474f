"""Shared machinery of the tasks that read a standard dataset layout from the user's disk and
fine-tune a pretrained backbone (``tasks.real.backbones``).

Item ``i`` pairs image(s) ``image_of[i]`` (one image, or a row of several for NLVR2; a
molecule graph for ChEBI-20, see ``inputs_a``) with text ``texts[i]``. Images are decoded from
their files batch by batch (``tasks.real.images``) and texts tokenized batch by batch, so memory
does not grow with the dataset. The data lives under ``data_dir/<folder>``; ``data_dir`` comes
from ``--data-dir`` or the suite's ``data_dir:`` and is not part of the cell id
(``bench.task.DATA_DIR``): moving the data keeps its results.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from bench.errors import UserError
from bench.request import Recipe
from bench.seeding import build_seeded
from bench.splits import split_by_group
from bench.task import Task
from tasks.real.backbones import Backbone
from tasks.real.images import ImagePreprocessor
from tasks.real.smoke_data import write_smoke_data
from tasks.real.text import TextTokenizer
from tasks.training import train_pairs


@dataclass(frozen=True)
class PairItems:
    paths: list[Path]  # every image file, once
    image_of: np.ndarray  # [N] or [N, k]: the image(s) of each item, positions in ``paths``
    texts: list[str]  # [N]
    groups: np.ndarray  # [N]: splits never cut a group (e.g. an image's five captions)
    labels: np.ndarray | None = None  # [N] class labels, for classification tasks


class RealPairTask(Task):
    """Subclasses set ``folder`` and ``layout`` (one line naming the expected files), implement
    ``read_items``, and override ``build_model`` where their model adds to the backbone's (and
    ``inputs_a`` where the first modality is not images)."""

    folder: ClassVar[str] = ""
    layout: ClassVar[str] = ""

    def __init__(self, *, data_dir: str | None, backbone: str, backbone_dir: str | None, epochs: int,
                 batch_size: int, lr: float, max_text_tokens: int, unlearn_batch_size: int):
        self.data_dir = data_dir
        self.backbone = backbone
        self.backbone_dir = backbone_dir
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.max_text_tokens = max_text_tokens
        self.unlearn_batch_size = unlearn_batch_size
        self._items: PairItems | None = None
        self._tokenizer: TextTokenizer | None = None

    # -- what a subclass provides ----------------------------------------------------------
    def read_items(self, root: Path) -> PairItems:
        """The items under ``root`` (= ``data_dir/folder``); raises ``self.layout_error`` on a
        missing or malformed file, including image files that do not exist."""
        raise NotImplementedError

    @classmethod
    def smoke_data(cls, root: Path) -> dict[str, str]:
        """A tiny dataset in this task's layout and tiny backbones (``tasks.real.smoke_data``)."""
        return write_smoke_data(root, cls.name)

    # -- data location ---------------------------------------------------------------------
    def layout_error(self, problem: str) -> UserError:
        return UserError(f"{self.name}: {problem}; expected {self.layout} (see docs/real_data.md).")

    def data_root(self) -> Path:
        if not self.data_dir:
            raise self.layout_error("no data dir given: pass --data-dir DIR or set data_dir: in the suite")
        root = Path(self.data_dir).expanduser() / self.folder
        if not root.is_dir():
            raise self.layout_error(f"{root} is not a directory")
        return root

    def locate_backbone(self) -> Backbone:
        return Backbone.locate(self.backbone, self.backbone_dir, Path(self.data_dir or ".").expanduser())

    def items(self) -> PairItems:
        if self._items is None:
            self._items = self.read_items(self.data_root())
        return self._items

    # -- Task contract ---------------------------------------------------------------------
    def check(self, forget_specs) -> None:
        items = self.items()
        self.locate_backbone().check(self.name)
        train = split_by_group(items.groups, 0, 0.1, 0.1)[0]
        for spec in forget_specs:
            spec.check(len(train), has_labels=self.has_labels)

    def prepare(self, cache_dir: Path) -> None:
        if self._tokenizer is not None:
            return
        self.check([])
        self._tokenizer = TextTokenizer(self.locate_backbone().path, self.max_text_tokens)

    def __len__(self) -> int:
        return len(self.items().texts)

    def item_groups(self) -> np.ndarray:
        return self.items().groups

    def item_labels(self) -> np.ndarray | None:
        return self.items().labels

    def loader(self, indices, *, shuffle: bool, seed: int, batch_size: int | None = None) -> DataLoader:
        self._require_prepared()
        return DataLoader([int(i) for i in indices], batch_size=batch_size or self.batch_size, shuffle=shuffle,
                          collate_fn=self._collate, generator=torch.Generator().manual_seed(seed),
                          pin_memory=torch.cuda.is_available())

    def pair_batch(self, a_indices, b_indices) -> dict[str, Any]:
        self._require_prepared()
        a_idx, b_idx = np.asarray(a_indices, dtype=np.int64), np.asarray(b_indices, dtype=np.int64)
        if a_idx.shape != b_idx.shape:
            raise ValueError(f"pair_batch needs as many texts as items, got {len(b_idx)} and {len(a_idx)}")
        batch = {"a": self.inputs_a(self.items().image_of[a_idx]), "b": self.tokens(b_idx),
                 "index": torch.as_tensor(a_idx)}
        labels = self.pair_labels(a_idx, b_idx)
        if labels is not None:
            batch["label"] = torch.as_tensor(labels).long()
        return batch

    def pair_labels(self, a_idx: np.ndarray, b_idx: np.ndarray) -> np.ndarray | None:
        """Labels of re-paired items (classification tasks); None for retrieval."""
        return None

    def inputs_a(self, images: np.ndarray) -> Any:
        """The first-modality batch of positions ``images`` in ``items().paths``: pixels
        ``[*images.shape, 3, H, W]``, each image decoded from its file."""
        paths = self.items().paths
        flat = self._preprocessor([paths[j] for j in images.ravel()])
        return flat.reshape(*images.shape, *flat.shape[1:])

    @cached_property
    def _preprocessor(self) -> ImagePreprocessor:
        """Read on first use: a task whose first modality is not images has none."""
        return ImagePreprocessor.from_dir(self.locate_backbone().path)

    def tokens(self, indices: Sequence[int]):
        texts = self.items().texts
        return self._tokenizer([texts[i] for i in indices])

    def build_model(self, backbone: torch.nn.Module) -> torch.nn.Module:
        """The task's pair model over a backbone pair model (retrieval: the backbone itself)."""
        return backbone

    def new_model(self, generator: torch.Generator) -> torch.nn.Module:
        """The pretrained backbone, and whatever the task adds to it drawn from ``generator``."""
        return build_seeded(generator, lambda: self.build_model(self.locate_backbone().pretrained()))

    def random_model(self, generator: torch.Generator) -> torch.nn.Module:
        """The same architecture, randomly initialised from ``generator``."""
        return build_seeded(generator, lambda: self.build_model(self.locate_backbone().randomly_initialised()))

    def recipe(self, seed: int) -> Recipe:
        def train(model, indices, device):
            loader = self.loader(indices, shuffle=True, seed=seed)
            with torch.random.fork_rng(devices=[]):  # ITM negatives draw from the global RNG
                return train_pairs(model, loader, device, epochs=self.epochs, lr=self.lr, seed=seed,
                                   desc=f"fine-tuning {self.backbone} on {self.name}")

        return Recipe(seed=seed, new_model=self.new_model, random_model=self.random_model, train=train)

    # -- internals -------------------------------------------------------------------------
    def _collate(self, positions: list[int]) -> dict[str, Any]:
        return self.pair_batch(positions, positions)

    def _require_prepared(self) -> None:
        if self._tokenizer is None:
            raise RuntimeError(f"task {self.name!r}: call prepare(cache_dir) first")
