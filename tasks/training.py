"""The training recipe shared by the original model and the retrained reference."""

from __future__ import annotations

import math

import torch
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from bench.batches import to_device


def cosine_schedule(optimizer: torch.optim.Optimizer, total_steps: int, warmup_steps: int):
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_pairs(model: torch.nn.Module, loader: DataLoader, device: torch.device, *, epochs: int,
                lr: float, seed: int, weight_decay: float = 0.01, desc: str = "training") -> torch.nn.Module:
    """AdamW with linear warm-up (5% of steps) and cosine decay; gradient norm clipped at 1."""
    torch.manual_seed(seed)  # the ITM negative sampling draws from the global generator
    model.to(device).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    total = epochs * len(loader)
    scheduler = cosine_schedule(optimizer, total, warmup_steps=max(1, total // 20))
    bar = tqdm(range(epochs), desc=desc, unit="epoch", disable=None, leave=False)
    for _ in bar:
        running = 0.0
        for batch in loader:
            loss = model.loss(to_device(batch, device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
        bar.set_postfix(loss=f"{running / max(1, len(loader)):.3f}")
    return model.eval()
