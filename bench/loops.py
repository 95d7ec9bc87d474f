"""The optimisation loop that gradient-based unlearning methods share."""

from __future__ import annotations

from typing import Callable

import torch
from tqdm.auto import tqdm

from bench.batches import cycle, to_device
from bench.request import UnlearnRequest


def adamw(model: torch.nn.Module, lr: float, weight_decay: float = 0.0) -> torch.optim.AdamW:
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr,
                             weight_decay=weight_decay)


def run_steps(model: torch.nn.Module, optimizer: torch.optim.Optimizer, n_steps: int,
              step_loss: Callable[[], torch.Tensor], request: UnlearnRequest, desc: str,
              max_grad_norm: float | None = 1.0) -> bool:
    """Takes up to ``n_steps`` optimizer steps on ``step_loss()``, clipping the gradient norm at
    ``max_grad_norm`` (None: no clipping, e.g. when a penalty such as ℓ1 must act in full).
    Returns False, and marks the request ``stopped_early``, when the deadline came first (the
    caller stops its outer loop too)."""
    model.train()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    bar = tqdm(range(n_steps), desc=desc, unit="step", disable=None, leave=False)
    for _ in bar:
        if request.out_of_time():
            return False
        loss = step_loss()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
        optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")
    return True


def train_on(model: torch.nn.Module, request: UnlearnRequest, loader, *, epochs: int, lr: float,
             ascend: bool = False, desc: str) -> torch.nn.Module:
    """``epochs`` passes of AdamW on the task loss over one loader: descent (fine-tuning on
    D_r) or, with ``ascend``, ascent (gradient ascent on D_f)."""
    batches = cycle(loader)
    sign = -1.0 if ascend else 1.0
    run_steps(model, adamw(model, lr), epochs * len(loader),
              lambda: sign * model.loss(to_device(next(batches), request.device)), request, desc)
    return model
