"""Randomness the harness controls: per-cell seeding, seeded model construction, derangements.

Every random draw of a cell comes from its seed, so the same cell run twice on one machine gives
the same numbers (on CPU; CUDA kernels may still differ, see ``deterministic``).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import numpy as np
import torch

T = TypeVar("T")


def seed_everything(seed: int) -> None:
    """Seeds Python's ``random``, numpy's legacy global generator and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@contextmanager
def deterministic() -> Iterator[None]:
    """Deterministic kernels for the block: at two or more threads some CPU backward kernels
    (index gathers in the fusion model's ITM) reduce in a thread-dependent order, which made two
    runs of one cell differ. ``warn_only`` so CUDA ops without a deterministic variant warn
    rather than fail a cell."""
    previous = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])


def child_seed(generator: torch.Generator) -> int:
    return int(torch.randint(0, 2**62, (1,), generator=generator))


def build_seeded(generator: torch.Generator, build: Callable[[], T]) -> T:
    """Runs ``build`` (e.g. a module constructor, which draws from torch's global RNG) under a
    seed taken from ``generator``, restoring the global RNG afterwards: the caller's random
    stream is neither read nor advanced."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(child_seed(generator))
        return build()


def derangement(n: int, generator: torch.Generator) -> torch.Tensor:
    """A uniformly random cyclic shift of a random order: a permutation with no fixed point, so
    every item is re-paired with someone else's partner (MultiDelete, random-label methods).
    With fewer than 2 items there is no one to swap with: the identity is returned."""
    if n < 2:
        return torch.arange(n)
    shift = int(torch.randint(1, n, (1,), generator=generator))
    order = torch.randperm(n, generator=generator)
    perm = torch.empty(n, dtype=torch.long)
    perm[order] = order.roll(shift)
    return perm
