"""Retrieval on a real dataset (``tasks.real.real_pair_task``): Recall@K in the standard
multi-caption form (``tasks.metrics.multi_caption``) on forget, retain and test at one gallery
size in first-modality items (images, molecules), the smallest part's, each larger part scored
as the mean over ``eval_draws`` random galleries of that many items with all their texts in the
part. Each item is encoded once, each text once, and the scores are computed chunk by chunk, so
no items x texts matrix over a whole split is ever held.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch

from bench.batches import evaluating, to_device
from bench.directions import HIGHER, INFO, RETRAIN
from bench.splits import Splits
from tasks.metrics.multi_caption import multi_caption_gallery_recall
from tasks.pair_retrieval import PARTS, RECALL_KEYS
from tasks.real.real_pair_task import RealPairTask

EVAL_BATCH = 128


class RealRetrievalTask(RealPairTask):
    """Subclasses (``tasks.real.caption_retrieval``, ``tasks.real.chebi20``) pass the shared
    params and ``eval_draws`` here; ``gallery_metric`` names the gallery size they record."""

    #: Captioned images: the gallery is counted in images, each with its five captions.
    gallery_metric: ClassVar[str] = "eval.gallery_images"

    def __init__(self, *, eval_draws: int, **shared):
        super().__init__(**shared)
        self.eval_draws = eval_draws

    @torch.no_grad()
    def evaluate(self, model, splits: Splits, device, seed: int) -> dict[str, float]:
        sources_of = {part: self.items().image_of[np.asarray(getattr(splits, part))] for part in PARTS}
        gallery = min(len(np.unique(sources)) for sources in sources_of.values())
        metrics = {self.gallery_metric: float(gallery)}
        for part in PARTS:
            sources, text_source = np.unique(sources_of[part], return_inverse=True)
            a_emb, text_emb = self.embeddings(model, sources, np.asarray(getattr(splits, part)), device)
            recall = multi_caption_gallery_recall(a_emb, text_emb, text_source, gallery, self.eval_draws, seed)
            metrics.update({f"{part}.{k}": recall[k] for k in RECALL_KEYS})
        return metrics

    def metric_directions(self) -> dict[str, str]:
        recall = {f"{part}.{k}": RETRAIN if part == "forget" else HIGHER for part in PARTS for k in RECALL_KEYS}
        return {**recall, self.gallery_metric: INFO}

    def embeddings(self, model, sources: np.ndarray, items: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
        """Unimodal embeddings of the first-modality items ``sources`` (``inputs_a`` positions:
        images, molecules; each encoded once) and of the texts of ``items``, on the CPU."""
        with evaluating(model):
            a_emb = [model.encode_a(to_device(self.inputs_a(sources[i:i + EVAL_BATCH]), device)).float().cpu()
                     for i in range(0, len(sources), EVAL_BATCH)]
            text_emb = [model.encode_b(to_device(self.tokens(items[i:i + EVAL_BATCH]), device)).float().cpu()
                        for i in range(0, len(items), EVAL_BATCH)]
        return torch.cat(a_emb), torch.cat(text_emb)
