"""The pair-model contract: every task's model implements it, so every method runs on every task.

A batch is a mapping with ``a`` (images as a tensor, or molecules as a torch-geometric ``Batch``),
``b`` (text), optional ``label``, and ``index`` (each example's position in the task's dataset).
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, runtime_checkable

import torch

Batch = Mapping[str, Any]
RETRIEVAL, CLASSIFICATION = "retrieval", "classification"
KINDS = (RETRIEVAL, CLASSIFICATION)


@runtime_checkable
class PairModel(Protocol):
    #: ``"retrieval"`` or ``"classification"``; how ``outputs`` and ``example_probs`` are read.
    kind: str
    #: Columns of ``example_probs`` (classes; 2 for a retrieval model's match / no-match).
    n_classes: int

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
        """[B] per-example loss that does not depend on the rest of the batch and reaches every
        parameter ``loss`` trains (Fisher, saliency, NPO and per-example attacks need the whole
        model, not one tower)."""

    def example_probs(self, batch: Batch) -> torch.Tensor:
        """[B, n_classes] per-example class probabilities, independent of the rest of the batch
        (for a retrieval model: the pair's match probability, column 1 = matched)."""


def represent(model: PairModel, a: Any, b: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(joint(a, b), encode_a(a), encode_b(b))``. A model that can share its towers' passes
    between the three defines ``represent`` itself (the fusion models do: it halves the tower
    passes of objectives such as MultiDelete's); any other gets the three calls."""
    if hasattr(model, "represent"):
        return model.represent(a, b)
    return model.joint(a, b), model.encode_a(a), model.encode_b(b)
