"""Small helpers every training loop needs: device moves and an endless, reshuffling loader."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import torch
from torch.utils.data import DataLoader


def to_device(batch: Any, device: torch.device) -> Any:
    """Moves tensors, torch-geometric batches and mappings/tuples of them to ``device``.

    A tensor in pinned memory (from a loader with ``pin_memory``, which exists only where CUDA
    does) is copied with ``non_blocking``: the host goes on to the next step while the copy
    runs, and CUDA orders the copy before any kernel that reads it on the same stream. Pageable
    memory, and everything on a CPU-only machine, is copied as before."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=batch.is_pinned())
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(to_device(v, device) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    if hasattr(batch, "to"):
        return batch.to(device)
    return batch


def cycle(loader: DataLoader) -> Iterator:
    """Yields batches forever; a shuffling loader reshuffles at every pass."""
    while True:
        yield from loader


@contextmanager
def evaluating(model: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """Eval mode and no gradients for the block; the model's previous mode is restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def example_losses(model: torch.nn.Module, loader: DataLoader, device: torch.device) -> torch.Tensor:
    """Per-example losses of ``model`` over a whole loader, in loader order, on the CPU."""
    with evaluating(model):
        out = [model.example_losses(to_device(b, device)).float().cpu() for b in loader]
    return torch.cat(out) if out else torch.empty(0)


def take(x: Any, index: torch.Tensor) -> Any:
    """Selects rows ``index`` of a batch part: a tensor, a named tuple or mapping of tensors,
    or a torch-geometric ``Batch`` (whose graphs are selected and re-batched)."""
    if isinstance(x, torch.Tensor):
        return x[index.to(x.device)]
    if isinstance(x, Mapping):
        return {k: take(v, index) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(take(v, index) for v in x))
    if hasattr(x, "index_select") and hasattr(x, "to_data_list"):  # torch-geometric Batch
        return type(x).from_data_list(x.index_select(index.cpu())).to(x.batch.device)
    raise TypeError(f"cannot select rows of a {type(x).__name__}")


def validation_accuracy(model: torch.nn.Module, loader: DataLoader, device: torch.device) -> float:
    """Task-agnostic utility for checkpoint selection: the accuracy of ``model.outputs`` — the
    class logits against ``label`` when the batch has labels, else (retrieval) how often each
    item's own partner is the top in-batch match. Only ever fed the validation split."""
    hits = total = 0
    with evaluating(model):
        for batch in loader:
            batch = to_device(batch, device)
            logits = model.outputs(batch)
            target = batch["label"] if "label" in batch else torch.arange(len(logits), device=logits.device)
            hits += int((logits.argmax(-1) == target).sum())
            total += len(target)
    return hits / max(total, 1)
