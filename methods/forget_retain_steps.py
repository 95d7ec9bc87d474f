"""The loop that forget-and-retain objectives share (NegGrad+, random labels, NPO): every step
draws one batch of D_f and one batch of D_r and descends on ``objective(forget, retain)``.

Not a method (it registers nothing); the methods that import it carry it in their code hash.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import torch

from bench import UnlearnRequest
from bench.batches import cycle, to_device
from bench.loops import adamw, run_steps

Objective = Callable[[Mapping[str, Any], Mapping[str, Any]], torch.Tensor]


def train_forget_retain(model: torch.nn.Module, request: UnlearnRequest, objective: Objective, *,
                        steps: int, lr: float, desc: str) -> torch.nn.Module:
    """``steps`` AdamW steps on ``objective(forget_batch, retain_batch)``, both batches on
    ``request.device``; each loader reshuffles when it runs out, so the shorter one (usually
    D_f) is cycled, as in the SCRUB authors' ``zip(retain, cycle(forget))``."""
    forget, retain = cycle(request.forget_loader), cycle(request.retain_loader)

    def step_loss() -> torch.Tensor:
        return objective(to_device(next(forget), request.device), to_device(next(retain), request.device))

    run_steps(model, adamw(model, lr), steps, step_loss, request, desc)
    return model.eval()
