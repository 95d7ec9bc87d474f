"""SSD on a classifier whose weights split into a block only D_f uses and a block only D_r
uses, where the importances, and so the dampening, are known in closed form."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from bench import Recipe, UnlearnRequest
from methods.ssd import SSD

N_FORGET, N_RETAIN = 8, 24  # |D|/|D_f| = 4: the largest possible I_f/I_D


class BlockClassifier(nn.Module):
    """Logits = W·a. Forget items have features only in columns 0-1 and retained items only in
    columns 2-3, so W[:, :2] has gradient from D_f alone: I_D = (|D_f|/|D|)·I_f there, and
    W[:, 2:] has I_f = 0."""

    kind, n_classes = "classification", 3

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(4, 3, bias=False)
        with torch.no_grad():
            self.head.weight.copy_(torch.arange(12.0).view(3, 4) / 10 - 0.5)

    def encode_a(self, a):
        return a

    def encode_b(self, b):
        return b

    def joint(self, a, b):
        return a

    def outputs(self, batch):
        return self.head(batch["a"])

    def loss(self, batch):
        return self.example_losses(batch).mean()

    def example_losses(self, batch):
        return F.cross_entropy(self.outputs(batch), batch["label"], reduction="none")

    def example_probs(self, batch):
        return self.outputs(batch).softmax(-1)


def block_request(budget_s: float = 600.0) -> UnlearnRequest:
    g = torch.Generator().manual_seed(0)
    n = N_FORGET + N_RETAIN
    a = torch.zeros(n, 4)
    a[:N_FORGET, :2] = torch.randn(N_FORGET, 2, generator=g)
    a[N_FORGET:, 2:] = torch.randn(N_RETAIN, 2, generator=g)
    label = torch.randint(0, 3, (n,), generator=g)

    def loader(indices):
        return DataLoader([int(i) for i in indices], batch_size=8, shuffle=False,
                          collate_fn=lambda rows: {"a": a[rows], "b": a[rows], "label": label[rows],
                                                   "index": torch.tensor(rows)})

    forget, retain = np.arange(N_FORGET), np.arange(N_FORGET, n)
    recipe = Recipe(seed=0, new_model=None, random_model=None, train=None)
    return UnlearnRequest(forget_loader=loader(forget), retain_loader=loader(retain),
                          val_loader=loader(retain), device=torch.device("cpu"), seed=0,
                          budget_s=budget_s, recipe=recipe, forget_indices=forget,
                          retain_indices=retain, pairs=None, full_train_loader=loader(np.arange(n)))


@pytest.mark.parametrize("dampening_constant", [1.0, 2.0])
def test_dampens_what_only_the_forget_set_uses_by_lambda_times_the_importance_ratio(dampening_constant):
    model = BlockClassifier()
    before = model.head.weight.detach().clone()
    ssd = SSD(selection_weighting=2.0, dampening_constant=dampening_constant, micro_batch=1)
    ssd.unlearn(model, block_request())
    after = model.head.weight.detach()
    beta = dampening_constant * N_FORGET / (N_FORGET + N_RETAIN)  # λ·I_D/I_f
    torch.testing.assert_close(after[:, :2], beta * before[:, :2])
    torch.testing.assert_close(after[:, 2:], before[:, 2:])  # I_f = 0: never selected


def test_selects_nothing_above_the_largest_possible_importance_ratio():
    """I_f/I_D ≤ |D|/|D_f| = 4, so α = 5 (like the paper's α = 10 on a 10% forget set) is a no-op."""
    model = BlockClassifier()
    before = model.head.weight.detach().clone()
    SSD(selection_weighting=5.0, micro_batch=1).unlearn(model, block_request())
    torch.testing.assert_close(model.head.weight.detach(), before)


def test_needs_the_full_training_set():
    request = block_request()
    request.full_train_loader = None
    with pytest.raises(ValueError, match="full_train_loader"):
        SSD().unlearn(BlockClassifier(), request)
