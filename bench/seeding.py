"""Randomness the harness controls: per-cell seeding, seeded model construction, derangements.

Every random draw of a cell comes from its seed, so the same cell run twice on one machine gives
the same numbers (on CPU; CUDA kernels may still differ, see ``deterministic``).
"""

from __future__ import annotations

import os
import random
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import numpy as np
import torch

T = TypeVar("T")
INDUCTOR_ENV = "TORCHINDUCTOR_DETERMINISTIC"  # torch._inductor.config reads it once, when loaded


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
    previous_env = os.environ.get(INDUCTOR_ENV)
    _use_deterministic_algorithms(True, warn_only=True)
    os.environ[INDUCTOR_ENV] = "1"  # what torch's compiler reads if the block is what loads it
    try:
        yield
    finally:
        if previous_env is None:
            os.environ.pop(INDUCTOR_ENV, None)
        else:
            os.environ[INDUCTOR_ENV] = previous_env
        _use_deterministic_algorithms(*previous)


def _use_deterministic_algorithms(mode: bool, warn_only: bool) -> None:
    """``torch.use_deterministic_algorithms`` without its first call's import of torch's compiler
    configuration (``torch._inductor.config`` loads ``torch._dynamo``: ~1.1 s in every fresh
    process, for a flag that only compiled code reads): the compiler's flag is set when it is
    loaded, and a block that loads it (a method's ``torch.compile``) has it read
    ``TORCHINDUCTOR_DETERMINISTIC``."""
    torch._C._set_deterministic_algorithms(mode, warn_only=warn_only)
    inductor = sys.modules.get("torch._inductor.config")
    if inductor is not None:
        inductor.deterministic = mode


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
