"""Fine-tuning on D_r ("catastrophic forgetting" baseline; Golatkar et al., 2020; Warnecke et al.)."""

import torch

from bench import Method, UnlearnRequest, register_method
from bench.loops import train_on


@register_method("finetune")
class Finetune(Method):
    """Continues training on the retain set with the task loss, hoping D_f fades.

    Args:
        epochs: passes over D_r (default 3: a fraction of the original training, as in the
            unlearning literature where FT runs 10-30% of the training budget).
        lr: AdamW learning rate (default 5e-4, a quarter of the tasks' training rate).
    """

    name = "finetune"
    param_bounds = {"epochs": (1, None), "lr": (0, None)}

    def __init__(self, epochs: int = 3, lr: float = 5e-4):
        self.epochs = epochs
        self.lr = lr

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        return train_on(model, request, request.retain_loader, epochs=self.epochs, lr=self.lr,
                        desc="finetune")
