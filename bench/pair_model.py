"""The pair-model contract: every task's model implements it, so every method runs on every task.

A batch is a mapping with ``a`` (images as a tensor, or molecules as a torch-geometric ``Batch``),
``b`` (text), optional ``label``, and ``index`` (each example's position in the task's dataset).
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, runtime_checkable

import torch

Batch = Mapping[str, Any]


@runtime_checkable
class PairModel(Protocol):
    def encode_a(self, a: Any) -> torch.Tensor:
        """[B, d] unimodal embedding of the first modality (image, molecule graph)."""

    def encode_b(self, b: Any) -> torch.Tensor:
        """[B, d] unimodal embedding of the text."""

    def joint(self, a: Any, b: Any) -> torch.Tensor:
        """[B, h] multimodal (fused) representation of each (a, b) pair."""

    def outputs(self, batch: Batch) -> torch.Tensor:
        """The task's output logits (class logits; in-batch a->b similarity logits for retrieval)."""

    def loss(self, batch: Batch) -> torch.Tensor:
        """Scalar training loss of the task."""

    def example_losses(self, batch: Batch) -> torch.Tensor:
        """[B] per-example loss that does not depend on the rest of the batch."""
