"""Retrieval tasks: a first modality ``a`` paired with its caption ``b``, scored by Recall@K.

A subclass says how to load its items and build its first-modality tower (``tasks.pair_task``);
this base adds the ALBEF-style fusion model and Recall@K at equal gallery sizes on forget,
retain and test.
"""

from __future__ import annotations

import numpy as np
import torch

from bench.batches import evaluating, to_device
from bench.directions import HIGHER, INFO, RETRAIN
from bench.splits import Splits
from tasks.metrics.retrieval import draw_galleries, gallery_recall
from tasks.models.fusion import FusionPairModel
from tasks.pair_task import PairTask

RECALL_KEYS = ("a2b_r1", "a2b_r5", "a2b_r10", "b2a_r1", "b2a_r5", "b2a_r10", "r_mean")
PARTS = ("forget", "retain", "test")


class PairRetrievalTask(PairTask):
    """Subclass constructors list every hyperparameter in their own signature (``get_params``
    reads it) and pass the shared ones (model width, training recipe, evaluation) here."""

    def __init__(self, *, dim: int, fusion_layers: int, epochs: int, batch_size: int, lr: float,
                 max_text_tokens: int, eval_draws: int, unlearn_batch_size: int):
        super().__init__(dim=dim, fusion_layers=fusion_layers, epochs=epochs, batch_size=batch_size,
                         lr=lr, max_text_tokens=max_text_tokens, unlearn_batch_size=unlearn_batch_size)
        self.eval_draws = eval_draws

    def build_model(self, a_tower: torch.nn.Module) -> FusionPairModel:
        return FusionPairModel(a_tower, dim=self.dim, fusion_layers=self.fusion_layers)

    @torch.no_grad()
    def evaluate(self, model, splits: Splits, device, seed: int) -> dict[str, float]:
        """Recall@K in both directions on forget, retain and test at one gallery size, the
        smallest of the three parts (``eval.gallery_size``, usually |D_f|; test when a large
        forget fraction outgrows it), since Recall@K depends on the gallery size. A part of that
        size is scored whole, a larger one as the mean over ``eval_draws`` random galleries.
        Items with identical captions count as correct answers for each other."""
        gallery = min(len(getattr(splits, part)) for part in PARTS)
        metrics = {"eval.gallery_size": float(gallery)}
        for part in PARTS:
            indices = np.asarray(getattr(splits, part))
            # Only the items some gallery draws are embedded (5 x |D_f| of a large D_r, not all).
            drawn = np.unique(np.concatenate(draw_galleries(len(indices), gallery, self.eval_draws, seed)))
            ea, eb = self.embeddings(model, indices[drawn], device)
            sim = ea @ eb.T

            def gallery_sim(idx, sim=sim, drawn=drawn):
                rows = np.searchsorted(drawn, idx)
                return sim[rows][:, rows]

            recall = gallery_recall(gallery_sim, len(indices), gallery, self.eval_draws, seed,
                                    text_ids=self._text_ids[indices])
            metrics.update({f"{part}.{k}": float(recall[k]) for k in RECALL_KEYS})
        return metrics

    def metric_directions(self) -> dict[str, str]:
        recall = {f"{part}.{k}": RETRAIN if part == "forget" else HIGHER
                  for part in PARTS for k in RECALL_KEYS}
        return {**recall, "eval.gallery_size": INFO}

    def embeddings(self, model, indices, device) -> tuple[torch.Tensor, torch.Tensor]:
        """Unimodal embeddings of both towers over a split, on the CPU."""
        ea, eb = [], []
        with evaluating(model):
            for batch in self.loader(indices, shuffle=False, seed=0, batch_size=256):
                batch = to_device(batch, device)
                ea.append(model.encode_a(batch["a"]).float().cpu())
                eb.append(model.encode_b(batch["b"]).float().cpu())
        return torch.cat(ea), torch.cat(eb)
