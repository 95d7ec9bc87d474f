"""What the runner checks on a cell's model."""

from __future__ import annotations

import torch

from bench.errors import CellFailure


def check_finite(model: torch.nn.Module, what: str) -> None:
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise CellFailure(f"{what} has non-finite weights in {name}")


@torch.no_grad()
def relative_distance(model: torch.nn.Module, original: torch.nn.Module) -> float:
    """``delta.l2``: ||θ' − θ|| / ||θ|| over the floating-point weights the two models share
    (0 for a model left as it was; the ``no-op`` flag of the leaderboard reads it)."""
    before, after = original.state_dict(), model.state_dict()
    diff = total = 0.0
    for name, weight in before.items():
        if weight.is_floating_point() and name in after and after[name].shape == weight.shape:
            diff += float((after[name].double().to(weight.device) - weight.double()).pow(2).sum())
            total += float(weight.double().pow(2).sum())
    return (diff / total) ** 0.5 if total > 0 else 0.0
