"""Classification of (image(s), statement) pairs with a pretrained backbone and a head
(``tasks.models.backbone_classifier``): visual entailment (SNLI-VE) and visual reasoning
(NLVR2). Items are grouped by their image(s), so no image crosses splits, and labelled by class,
so ``class`` forgetting deletes every pair of a class. Metrics: accuracy on forget, retain and
test, and per class on test (``tasks.metrics.classification``).

A re-paired item (MultiDelete's and random-label methods' batches: the image(s) of one item with
the statement of another) keeps the statement's label when both come from the same image(s);
otherwise it gets ``unrelated_label`` (SNLI-VE: neutral, an unrelated image says nothing about a
hypothesis), or the statement's own label where no class fits (NLVR2: its truth on other
images is unknown).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, ClassVar, Literal, Sequence

import numpy as np
import torch

from bench.splits import Splits
from tasks.metrics.classification import PARTS, classification_directions, classification_metrics
from tasks.models.backbone_classifier import BackboneClassifier
from tasks.real.real_pair_task import RealPairTask


class StatementClassificationTask(RealPairTask):
    """Subclasses set ``name``, ``folder``, ``layout``, ``class_names``, ``images_per_item`` and
    ``unrelated_label`` and read their files (``read_items``, labels included)."""

    has_labels = True
    class_names: ClassVar[tuple[str, ...]] = ()
    images_per_item: ClassVar[int] = 1
    unrelated_label: ClassVar[int | None] = None  # None: a re-paired statement keeps its label
    #: Random labels on the fixture: 60 epochs to memorize them (30 left the loss near log 3).
    smoke_params: ClassVar[dict] = dict(n_items=60, backbone_dir="models/tiny-clip", epochs=60, batch_size=16,
                                        lr=3e-3, max_text_tokens=16, unlearn_batch_size=16)

    def __init__(self, data_dir: str | None = None, n_items: int | None = None,
                 backbone: Literal["clip", "blip"] = "clip", backbone_dir: str | None = None, epochs: int = 5,
                 batch_size: int = 64, lr: float = 1e-5, max_text_tokens: int = 64, unlearn_batch_size: int = 64):
        super().__init__(data_dir=data_dir, backbone=backbone, backbone_dir=backbone_dir, epochs=epochs,
                         batch_size=batch_size, lr=lr, max_text_tokens=max_text_tokens,
                         unlearn_batch_size=unlearn_batch_size)
        self.n_items = n_items

    def build_model(self, backbone: torch.nn.Module) -> BackboneClassifier:
        return BackboneClassifier(backbone, len(self.class_names), self.images_per_item)

    def pair_labels(self, a_idx: np.ndarray, b_idx: np.ndarray) -> np.ndarray:
        items = self.items()
        labels = items.labels[b_idx].copy()
        if self.unrelated_label is not None:
            labels[items.groups[a_idx] != items.groups[b_idx]] = self.unrelated_label
        return labels

    @torch.no_grad()
    def evaluate(self, model, splits: Splits, device, seed: int) -> dict[str, float]:
        loaders = {part: self.loader(getattr(splits, part), shuffle=False, seed=0, batch_size=128) for part in PARTS}
        return classification_metrics(model, loaders, device, self.class_names)

    def metric_directions(self) -> dict[str, str]:
        return classification_directions(self.class_names)

    def read_records(self, root: Path, files: Sequence[str], parse: Callable[[dict], tuple],
                     what: str) -> list[tuple]:
        """Every line of the json-lines ``files`` under ``root``, in order, through ``parse``,
        capped at ``n_items``; a missing file, or a line ``parse`` cannot read, is one layout
        error naming the file (``what`` names the expected format)."""
        records: list[tuple] = []
        for name in files:
            path = root / name
            if not path.is_file():
                raise self.layout_error(f"{path} is missing")
            try:
                records += [parse(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
            except (ValueError, KeyError, TypeError) as exc:
                raise self.layout_error(f"{path} is not {what} ({type(exc).__name__}: {exc})") from None
        return records[: self.capped(len(records))]

    def capped(self, n_available: int) -> int:
        """How many items to read: ``n_items`` if set (an error past what the files hold)."""
        if self.n_items is not None and not 0 < self.n_items <= n_available:
            raise self.layout_error(f"n_items={self.n_items} but the files hold {n_available} items")
        return self.n_items or n_available
