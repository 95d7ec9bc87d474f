"""The classification half of the pair-model contract, shared by every classifier.

A classifier defines ``outputs(batch) -> [B, n_classes]`` class logits (read from the batch
alone, example by example) and sets ``n_classes``; this mixin derives the rest from them:
the cross-entropy training loss against ``batch["label"]``, its per-example terms (batch-
independent, since each row's logits are), and the softmax as per-example probabilities.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class ClassifierLosses:
    """Mix in before ``nn.Module`` (``class M(ClassifierLosses, nn.Module)``)."""

    kind = "classification"
    n_classes: int

    def outputs(self, batch) -> torch.Tensor:
        raise NotImplementedError

    def loss(self, batch) -> torch.Tensor:
        return F.cross_entropy(self.outputs(batch), batch["label"])

    def example_losses(self, batch) -> torch.Tensor:
        """[B] cross-entropy of each example; reaches every parameter ``loss`` trains."""
        return F.cross_entropy(self.outputs(batch), batch["label"], reduction="none")

    def example_probs(self, batch) -> torch.Tensor:
        return self.outputs(batch).softmax(dim=-1)
