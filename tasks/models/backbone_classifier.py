"""A pretrained retrieval backbone (``ClipPairModel`` or ``BlipPairModel``) with a
classification head, for visual entailment (SNLI-VE) and visual reasoning (NLVR2).

The head reads the backbone's ``joint`` representation of each (image, text) pair: CLIP's
product of the two normalised embeddings, BLIP's fused [CLS] state (the head BLIP's own
entailment and NLVR models put on its text encoder). An item with several images (NLVR2's two)
concatenates the joint representations of each image with the text, and its ``encode_a`` is the
mean of its images' embeddings. Loss: cross-entropy; ``example_losses`` the per-example
cross-entropy, which reaches exactly the parameters the loss trains; ``example_probs`` the
softmax
(``ClassifierLosses``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.models.classification import ClassifierLosses


class BackboneClassifier(ClassifierLosses, nn.Module):
    """Loss, per-example losses and probabilities from ``outputs`` (``ClassifierLosses``)."""

    def __init__(self, backbone: nn.Module, n_classes: int, images_per_item: int):
        super().__init__()
        self.backbone = backbone
        self.n_classes = n_classes
        self.images_per_item = images_per_item
        width = backbone.joint_dim
        self.head = nn.Sequential(nn.Linear(images_per_item * width, width), nn.GELU(), nn.Linear(width, n_classes))

    def _images(self, a: torch.Tensor) -> list[torch.Tensor]:
        """[B, 3, H, W] per image of an item (``a`` is [B, k, 3, H, W] for k > 1)."""
        return [a] if self.images_per_item == 1 else list(a.unbind(1))

    def encode_a(self, a: torch.Tensor) -> torch.Tensor:
        return F.normalize(torch.stack([self.backbone.encode_a(x) for x in self._images(a)]).mean(0), dim=-1)

    def encode_b(self, b) -> torch.Tensor:
        return self.backbone.encode_b(b)

    def joint(self, a: torch.Tensor, b) -> torch.Tensor:
        return torch.cat([self.backbone.joint(x, b) for x in self._images(a)], dim=-1)

    def outputs(self, batch) -> torch.Tensor:
        return self.head(self.joint(batch["a"], batch["b"]))
