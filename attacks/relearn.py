"""Relearning attack (Hu et al., 2024, "Jogging the memory of unlearned LLMs through targeted
relearning attacks"; Lynch et al., 2024, "Eight methods to evaluate robust unlearning in LLMs").

Question asked: does a little fine-tuning on *part* of the forgotten data bring back the rest of
it? A method that only hides D_f (suppresses outputs near the original weights) is undone by a few
steps; knowledge that is truly gone, as in the retrained reference, comes back only as fast as
learning from scratch on a few examples generalises.

Protocol:
- D_f is split once, seeded (``default_rng(seed)`` permutation), into a relearn part (a
  ``fraction`` of it, at least one pair) and a held-out rest (at least one pair).
- A deep copy of the unlearned model takes ``steps`` AdamW steps (no weight decay, gradient norm
  clipped at 1 as in the training recipe) of the task loss ``model.loss`` on shuffled batches of
  the relearn part, at the task's ``unlearn_batch_size`` (the batch every method gets). The ITM
  negatives and the shuffling are seeded by the cell's seed; the global RNG is left as it was.
- The forget metric is ``bench.batches.validation_accuracy`` on the rest, in batches of
  ``eval_batch_size`` in the seeded order: in-batch top-1 retrieval accuracy for retrieval
  tasks (a Recall@1 at gallery size ``eval_batch_size``; the last, smaller batch is easier for
  every model alike), class accuracy for classification. Chosen over the mean ``-example_losses``
  because it reads as recall, and over the task's full ``evaluate`` because it costs one pass.

Metrics, both direction ``retrain`` (the leaderboard compares them with the retrain row, which
runs the same attack on the retrained reference, so the reference needs no extra relearning
here):
- ``relearn.forget_after``: the forget metric on the rest after relearning.
- ``relearn.gain``: after minus before, for the unlearned model.
The attack also runs for the ``original`` row: the original relearning data it still knows.
"""

from __future__ import annotations

import copy
from typing import ClassVar

import numpy as np
import torch

import bench
from bench.batches import cycle, to_device, validation_accuracy
from bench.directions import RETRAIN
from bench.loops import adamw


def split_forget(forget: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(relearn part, held-out rest) of the forget indices: a ``default_rng(seed)`` permutation
    cut after ``round(fraction * n)`` (clipped so that both parts hold at least one pair)."""
    forget = np.asarray(forget, dtype=np.int64)
    if forget.size < 2:
        raise ValueError(f"relearning needs at least 2 forget pairs, got {forget.size}")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    cut = min(max(round(fraction * forget.size), 1), forget.size - 1)
    perm = np.random.default_rng(seed).permutation(forget)
    return perm[:cut], perm[cut:]


def relearned(model: torch.nn.Module, loader, steps: int, lr: float, device: torch.device,
              seed: int) -> torch.nn.Module:
    """A deep copy of ``model`` after ``steps`` AdamW steps of ``model.loss`` over ``loader``
    (cycled); ``model`` itself is untouched."""
    model = copy.deepcopy(model).to(device).train()
    optimizer = adamw(model, lr)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    batches = cycle(loader)
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):  # ITM negatives draw from the global RNG
        torch.manual_seed(seed)
        for _ in range(steps):
            loss = model.loss(to_device(next(batches), device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
    return model.eval()


@bench.register_attack("relearn")
class Relearn(bench.Attack):
    """Fine-tunes a copy of the unlearned model on part of D_f; measures the rest's recovery.

    Args:
        steps: optimizer steps of relearning (default 20: a few passes over the relearn part;
            "a few steps", as in the papers).
        lr: AdamW learning rate (default 1e-4, a twentieth of the emoji task's training rate:
            on emoji_retrieval, 1e-3 already degrades every model's recall on the rest, the
            original's and the retrained reference's included, so the gain measures damage).
        fraction: share of D_f used for relearning (default 0.5); the rest is measured.
        eval_batch_size: batch (in-batch gallery) size of the forget metric (default 32).
    """

    name = "relearn"
    param_bounds = {"steps": (0, None), "lr": (0, None), "fraction": (0.0, 1.0), "eval_batch_size": (2, None)}
    directions: ClassVar[dict[str, str]] = {"relearn.forget_after": RETRAIN, "relearn.gain": RETRAIN}

    def __init__(self, steps: int = 20, lr: float = 1e-4, fraction: float = 0.5, eval_batch_size: int = 32):
        self.steps = steps
        self.lr = lr
        self.fraction = fraction
        self.eval_batch_size = eval_batch_size

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        relearn_part, rest = split_forget(context.indices("forget"), self.fraction, context.seed)
        rest_loader = context.loader(rest, batch_size=self.eval_batch_size)
        before = validation_accuracy(unlearned, rest_loader, context.device)
        train_loader = context.loader(relearn_part, shuffle=True, batch_size=context.task.unlearn_batch_size)
        model = relearned(unlearned, train_loader, self.steps, self.lr, context.device, context.seed)
        after = validation_accuracy(model, rest_loader, context.device)
        return {"relearn.forget_after": after, "relearn.gain": after - before}
