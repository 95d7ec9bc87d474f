"""A stand-in first-modality tower for the fusion-model tests: the real towers are covered by
the task contract tests."""

import torch
from torch import nn

DIM = 16


class TokenTower(nn.Module):
    """``a`` is already a [B, T, DIM] token tensor; every token is real."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(DIM, DIM)

    def forward(self, a):
        return self.linear(a), torch.ones(a.shape[:2], dtype=torch.bool)
