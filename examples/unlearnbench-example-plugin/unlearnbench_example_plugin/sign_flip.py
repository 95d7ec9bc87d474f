"""Sign-flipped fine-tuning: alternate ascent steps on D_f and descent steps on D_r (an example
plugin for unlearnbench; the idea is NegGrad+ of Kurmanji et al., NeurIPS 2023).

A plugin method follows the same contract as a built-in one (see `unlearnbench new-method`):
hyperparameters in the constructor, the work in `unlearn`, the deadline checked before each step
(`run_steps` does it). The entry point registers it; no decorator is needed.
"""

from __future__ import annotations

import itertools

import torch

from bench import Method, UnlearnRequest
from bench.batches import cycle, to_device
from bench.loops import adamw, run_steps


class SignFlip(Method):
    """Odd steps ascend the task loss on a forget batch, even steps descend it on a retain batch.

    Args:
        steps: optimizer steps in all (default 8).
        lr: AdamW learning rate (default 5e-4).
    """

    name = "example_sign_flip"
    param_bounds = {"steps": (1, None), "lr": (0, None)}

    def __init__(self, steps: int = 8, lr: float = 5e-4):
        self.steps = steps
        self.lr = lr

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        forget, retain = cycle(request.forget_loader), cycle(request.retain_loader)
        turns = itertools.cycle([(forget, -1.0), (retain, 1.0)])

        def step_loss() -> torch.Tensor:
            batches, sign = next(turns)
            return sign * model.loss(to_device(next(batches), request.device))

        run_steps(model, adamw(model, self.lr), self.steps, step_loss, request, desc=self.name)
        return model
