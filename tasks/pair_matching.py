"""Matching tasks: does this statement fit this item? Image-text and graph-text classification
in the style of SNLI-VE and NLVR2, on the same data and fusion encoder as the retrieval tasks.

Each entity (an emoji's image, a molecule's graph) gets one statement naming some entity; an
item is the (entity, statement) pair, labelled by the *relation* between the two (e.g. the
statement names this emoji / another emoji of its category / one of another category), with
the relations balanced over the entities. One statement per entity, so splits by item are
splits by image or molecule: no test image is seen in training, and a retrained model has
seen nothing of a forgotten item (``image`` forgetting equals ``random`` here). With three
statements per image (one per relation) the original did not memorize its training pairs in a
CPU budget (emoji, 1,000 images: train 0.66, test 0.57 accuracy after 12 epochs), so no
forgetting could be measured.

A subclass provides the entities, how the statements are drawn, and the relation; this base
turns them into labelled batches (a re-paired batch gets the true label of its new pairing),
the ``FusionClassifier`` recipe and accuracy metrics.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from bench.splits import Splits
from tasks.metrics.classification import PARTS, classification_directions, classification_metrics
from tasks.models.fusion_classifier import FusionClassifier
from tasks.pair_task import PairTask


class PairMatchingTask(PairTask):
    """Subclasses set ``class_names`` (label ``k`` is ``class_names[k]``), ``matched_name`` (the
    class of a statement that names its own entity), ``data_seed`` and ``align_weight`` (see
    ``tasks.models.fusion_classifier``)."""

    class_names: tuple[str, ...] = ()
    matched_name: str = ""
    data_seed: int = 0
    align_weight: float = 1.0

    # -- what a subclass provides ----------------------------------------------------------
    def load_entities(self) -> tuple[Any, list[str]]:
        """(first-modality items of the entities, the text a statement naming each one reads)."""
        raise NotImplementedError

    def draw_statements(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(entity, named): for each item, the entity it shows and the entity its statement
        names."""
        raise NotImplementedError

    def relation(self, entities: np.ndarray, named: np.ndarray) -> np.ndarray:
        """[B] label of each (entity, statement naming ``named``) pair."""
        raise NotImplementedError

    def collate_entities(self, entities: Sequence[int]) -> Any:
        """The first modality of ``entities``, batched."""
        raise NotImplementedError

    # -- PairTask hooks --------------------------------------------------------------------
    def load_items(self) -> tuple[Any, list[str]]:
        items, texts = self.load_entities()
        self._entity, self._named = self.draw_statements(np.random.default_rng([self.data_seed, 0x57A7E]))
        self._labels = self.relation(self._entity, self._named)
        return items, [texts[j] for j in self._named]

    def collate_a(self, positions: Sequence[int]) -> Any:
        return self.collate_entities(self._entity[np.asarray(positions, dtype=np.int64)].tolist())

    def build_model(self, a_tower: torch.nn.Module) -> FusionClassifier:
        return FusionClassifier(a_tower, len(self.class_names), self.class_names.index(self.matched_name),
                                dim=self.dim, fusion_layers=self.fusion_layers, align_weight=self.align_weight)

    def item_groups(self) -> np.ndarray:
        self._require_prepared()
        return self._entity

    def pair_batch(self, a_indices, b_indices) -> dict[str, Any]:
        """The batch of ``PairTask``, with each re-paired statement's true label for its item."""
        batch = super().pair_batch(a_indices, b_indices)
        entities = self._entity[batch["index"].numpy()]
        named = self._named[np.asarray(b_indices, dtype=np.int64)]
        batch["label"] = torch.as_tensor(self.relation(entities, named)).long()
        return batch

    # -- Task contract ---------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, model, splits: Splits, device, seed: int) -> dict[str, float]:
        """Accuracy on forget, retain and test, and per class on test
        (``tasks.metrics.classification``)."""
        loaders = {part: self.loader(getattr(splits, part), shuffle=False, seed=0, batch_size=256)
                   for part in PARTS}
        return classification_metrics(model, loaders, device, self.class_names)

    def metric_directions(self) -> dict[str, str]:
        return classification_directions(self.class_names)



def balanced(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """[n] a seeded random order of ``0, 1, ..., k - 1, 0, ...``: each value n / k times (±1)."""
    return rng.permutation(np.arange(n) % k)
