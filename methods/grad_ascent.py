"""Gradient ascent on D_f (Thudi et al., 2022; "NegGrad" in Kurmanji et al., 2023)."""

import torch

from bench import Method, UnlearnRequest, register_method
from bench.loops import train_on


@register_method("grad_ascent")
class GradAscent(Method):
    """Maximises the task loss on the forget set. Unbounded by design: with too many steps it
    destroys the model, which is why NegGrad+ and SCRUB add a retain term.

    Args:
        epochs: passes over D_f (default 2).
        lr: AdamW learning rate (default 5e-5; small, because ascent diverges).
    """

    name = "grad_ascent"
    param_bounds = {"epochs": (1, None), "lr": (0, None)}
    search_space = {  # for `unlearnbench tune` (docs/tuning.md)
        "lr": ("log", 1e-5, 1e-3), "epochs": ("int", 1, 4)}

    def __init__(self, epochs: int = 2, lr: float = 5e-5):
        self.epochs = epochs
        self.lr = lr

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        return train_on(model, request, request.forget_loader, epochs=self.epochs, lr=self.lr,
                        ascend=True, desc="grad_ascent")
