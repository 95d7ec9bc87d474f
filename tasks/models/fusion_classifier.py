"""The fusion model as a pair classifier, for image-text and graph-text classification in the
style of SNLI-VE and NLVR2 (ALBEF fine-tunes its fused [CLS] with a classification head).

Towers and fusion encoder are ``FusionEncoder``'s. The head reads the joint representation of
each (a, statement) pair together with the product of the pair's unimodal embeddings
``encode_a(a) * encode_b(b)`` (whose sum is their ITC cosine): trained from scratch on a CPU
budget, a head on the fused [CLS] alone stayed at chance on held-out pairs (emoji_matching:
0.35 test accuracy for 3 classes), as the retrieval model's ITM head barely trains here; ALBEF
starts its classifiers from ITC/ITM-pretrained encoders. The training loss is cross-entropy
plus ``align_weight`` times ALBEF's ITC on the batch's matched pairs (label
``matched_class``), the "align" that the fusion then builds on. ``example_losses`` is each example's cross-entropy: batch-independent, and it
reaches every parameter the loss trains.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.models.classification import ClassifierLosses
from tasks.models.fusion import FusionEncoder


class FusionClassifier(ClassifierLosses, FusionEncoder):
    def __init__(self, a_tower: nn.Module, n_classes: int, matched_class: int, dim: int = 128,
                 heads: int = 4, fusion_layers: int = 1, align_weight: float = 1.0,
                 temperature: float = 0.07):
        super().__init__(a_tower, dim=dim, heads=heads, fusion_layers=fusion_layers)
        self.n_classes = n_classes
        self.matched_class = matched_class
        self.align_weight = align_weight
        self.temperature = temperature
        self.head = nn.Linear(2 * dim, n_classes)

    def _logits(self, joint, ea, eb) -> torch.Tensor:
        return self.head(torch.cat([joint, ea * eb], dim=-1))

    def outputs(self, batch) -> torch.Tensor:
        """[B, n_classes] class logits of each (a, b) pair."""
        return self._logits(*self.represent(batch["a"], batch["b"]))

    def loss(self, batch) -> torch.Tensor:
        joint, ea, eb = self.represent(batch["a"], batch["b"])
        ce = F.cross_entropy(self._logits(joint, ea, eb), batch["label"])
        matched = batch["label"] == self.matched_class
        if not self.align_weight or int(matched.sum()) < 2:
            return ce
        sim = ea[matched] @ eb[matched].T / self.temperature
        target = torch.arange(len(sim), device=sim.device)
        itc = (F.cross_entropy(sim, target) + F.cross_entropy(sim.T, target)) / 2
        return ce + self.align_weight * itc
