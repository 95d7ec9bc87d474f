"""A plain image classifier implementing the pair-model contract: the unimodal control.

There is one modality, so the contract's second input is the same image again: a batch's ``b``
is ``a`` (``tasks.animal_mnist`` builds it so), re-paired batches and row selections work as on
any pair task, and every method runs unchanged. Read the contract this way:

* ``encode_a(a)``: the pooled image features, the representation the head reads;
* ``encode_b(b)``: the same encoder on ``b`` (one tower serves both "modalities");
* ``joint(a, b)``: ``encode_a(a)``; ``b`` carries no extra information, so a method's
  multimodal term (e.g. MultiDelete's decoupling of a from b) reduces to keeping or moving the
  image representation, which is what such a term can mean on a unimodal model.
"""

from __future__ import annotations

import torch
from torch import nn

from tasks.models.classification import ClassifierLosses
from tasks.models.image_tower import ImageTower


class ImageClassifier(ClassifierLosses, nn.Module):
    """``ImageTower`` patch tokens, mean-pooled and layer-normed, then a linear head."""

    def __init__(self, n_classes: int, image_size: int, in_channels: int = 1, dim: int = 64,
                 channels: tuple[int, ...] = (8, 16, 32)):
        super().__init__()
        self.n_classes = n_classes
        self.tower = ImageTower(image_size=image_size, dim=dim, channels=channels, in_channels=in_channels)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def encode_a(self, a: torch.Tensor) -> torch.Tensor:
        tokens, _ = self.tower(a)
        return self.norm(tokens.mean(1))

    def encode_b(self, b: torch.Tensor) -> torch.Tensor:
        return self.encode_a(b)

    def joint(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.encode_a(a)

    def outputs(self, batch) -> torch.Tensor:
        """[B, n_classes] class logits of each image."""
        return self.head(self.encode_a(batch["a"]))
