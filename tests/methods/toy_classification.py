"""A tiny classification pair model and an unlearning request over it, for testing the
classification branch of methods while every registered task is retrieval."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from bench import Recipe, UnlearnRequest, build_seeded

CPU = torch.device("cpu")
N_ITEMS, N_FORGET, FEATURES, N_CLASSES, FORGET_SHIFT = 240, 48, 6, 3, 4.0


class ToyClassifier(nn.Module):
    """Implements the pair-model contract with ``kind = "classification"``: the class is read
    from the fused pair (the first modality carries the signal, the second is noise)."""

    kind = "classification"
    n_classes = N_CLASSES

    def __init__(self, generator: torch.Generator):
        super().__init__()
        build_seeded(generator, self._build)

    def _build(self) -> None:
        self.a_net = nn.Sequential(nn.Linear(FEATURES, 16), nn.Tanh())
        self.b_net = nn.Sequential(nn.Linear(FEATURES, 16), nn.Tanh())
        self.head = nn.Linear(32, N_CLASSES)

    def encode_a(self, a):
        return self.a_net(a)

    def encode_b(self, b):
        return self.b_net(b)

    def joint(self, a, b):
        return torch.cat([self.encode_a(a), self.encode_b(b)], dim=-1)

    def outputs(self, batch):
        return self.head(self.joint(batch["a"], batch["b"]))

    def loss(self, batch):
        return F.cross_entropy(self.outputs(batch), batch["label"])

    def example_losses(self, batch):
        return F.cross_entropy(self.outputs(batch), batch["label"], reduction="none")

    def example_probs(self, batch):
        return self.outputs(batch).softmax(-1)


class ToyData:
    """Seeded items whose label is the argmax of a fixed linear map of ``a``; the first
    ``N_FORGET`` items form D_f, the rest D_r. D_f is a cluster of its own (shifted along the
    first feature), like a sub-population the model can unlearn without unlearning the rest."""

    def __init__(self, seed: int = 0):
        g = torch.Generator().manual_seed(seed)
        self.a = torch.randn(N_ITEMS, FEATURES, generator=g)
        self.b = torch.randn(N_ITEMS, FEATURES, generator=g)
        self.label = (self.a @ torch.randn(FEATURES, N_CLASSES, generator=g)).argmax(-1)
        self.a[:N_FORGET, 0] += FORGET_SHIFT
        self.forget, self.retain = np.arange(N_FORGET), np.arange(N_FORGET, N_ITEMS)

    def batch(self, indices):
        idx = torch.as_tensor(indices).long()
        return {"a": self.a[idx], "b": self.b[idx], "label": self.label[idx], "index": idx}

    def loader(self, indices, shuffle: bool, seed: int = 0) -> DataLoader:
        return DataLoader([int(i) for i in indices], batch_size=16, shuffle=shuffle,
                          collate_fn=self.batch, generator=torch.Generator().manual_seed(seed))

    def trained_model(self) -> ToyClassifier:
        """A model fitted on all items (D_f included), so there is something to forget."""
        model = ToyClassifier(torch.Generator().manual_seed(0))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        batch = self.batch(np.arange(N_ITEMS))
        for _ in range(200):
            optimizer.zero_grad()
            model.loss(batch).backward()
            optimizer.step()
        return model.eval()

    def accuracy(self, model, indices) -> float:
        batch = self.batch(indices)
        with torch.no_grad():
            return float((model.outputs(batch).argmax(-1) == batch["label"]).float().mean())

    def request(self, seed: int = 0, budget_s: float = 600.0) -> UnlearnRequest:
        def no_training(*_):
            raise NotImplementedError("the toy recipe has no training")

        def no_pairs(*_):
            raise NotImplementedError("the toy task has no re-pairing")

        recipe = Recipe(seed=seed, new_model=ToyClassifier, random_model=ToyClassifier, train=no_training)
        return UnlearnRequest(
            forget_loader=self.loader(self.forget, shuffle=True, seed=seed),
            retain_loader=self.loader(self.retain, shuffle=True, seed=seed + 1),
            val_loader=self.loader(self.retain[:16], shuffle=False),
            device=CPU, seed=seed, budget_s=budget_s, recipe=recipe,
            forget_indices=self.forget, retain_indices=self.retain, pairs=no_pairs,
        )
