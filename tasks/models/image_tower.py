"""A small CNN image tower that returns patch tokens, sized for a CPU."""

from __future__ import annotations

import torch
from torch import nn


def _block(c_in: int, c_out: int) -> nn.Sequential:
    # GroupNorm, not BatchNorm: per-example losses must not depend on the rest of the batch.
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.GELU(),
        nn.Conv2d(c_out, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.GELU(),
        nn.MaxPool2d(2),
    )


class ImageTower(nn.Module):
    """Three conv blocks (16/32/64 channels) halve the image three times; each cell of the final
    grid (3x3 for 24 px input) is one patch token, projected to ``dim`` with a learned position
    embedding, like the patch tokens of a ViT that ALBEF's fusion layers attend to."""

    def __init__(self, image_size: int = 32, dim: int = 128, channels=(16, 32, 64), in_channels: int = 3):
        super().__init__()
        widths = (in_channels, *channels)
        self.blocks = nn.Sequential(*(_block(a, b) for a, b in zip(widths, widths[1:])))
        grid = image_size // 2 ** len(channels)
        self.proj = nn.Linear(channels[-1], dim)
        self.pos = nn.Parameter(torch.zeros(1, grid * grid, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats = self.blocks(images)  # [B, C, g, g]
        tokens = self.proj(feats.flatten(2).transpose(1, 2)) + self.pos
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        return tokens, mask
