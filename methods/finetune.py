"""Fine-tuning on D_r ("catastrophic forgetting" baseline; Golatkar et al., 2020; Warnecke et al.)."""

import torch

from bench import Method, UnlearnRequest, register_method
from bench.loops import train_on


@register_method("finetune")
class Finetune(Method):
    """Continues training on the retain set with the task loss, hoping D_f fades.

    Args:
        epochs: passes over D_r (default 2: a fraction of the original training, as in the
            unlearning literature where FT runs 10-30% of the training budget; 2 of emoji's 10
            training epochs at the same batch size, about 0.2x retraining. Seed 1 on emoji:
            forget / test / retain R̄ 71.7 / 35.9 / 73.0 -> 61.6 / 33.4 / 73.0, retrain
            37.3 / 32.4 / 68.9; 3 epochs gave 63.7 / 34.7 / 80.2 at 0.3x).
        lr: AdamW learning rate (default 5e-4, a quarter of the tasks' training rate).
    """

    name = "finetune"
    param_bounds = {"epochs": (1, None), "lr": (0, None)}
    search_space = {  # for `unlearnbench tune` (docs/tuning.md)
        "lr": ("log", 1e-4, 3e-3), "epochs": ("int", 1, 4)}

    def __init__(self, epochs: int = 2, lr: float = 5e-4):
        self.epochs = epochs
        self.lr = lr

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        return train_on(model, request, request.retain_loader, epochs=self.epochs, lr=self.lr,
                        desc="finetune")
