"""Deletion requests (forget specs) and the splits a task builds for one (seed, forget spec)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np

from bench.errors import UserError

FORGET_KINDS = ("random",)


@dataclass(frozen=True)
class ForgetSpec:
    """``random``: a uniformly random subset of the training pairs, given as a ``fraction`` of
    the train split or an exact ``count`` (count wins when both are set)."""

    kind: str = "random"
    fraction: float = 0.1
    count: int | None = None

    def __post_init__(self):
        if self.kind not in FORGET_KINDS:
            raise UserError(
                f"unknown forget kind {self.kind!r}; supported: {', '.join(FORGET_KINDS)}."
            )
        if self.count is None and not 0.0 < self.fraction < 1.0:
            raise UserError(f"forget fraction must be in (0, 1), got {self.fraction}.")
        if self.count is not None and self.count < 1:
            raise UserError(f"forget count must be a positive integer, got {self.count}.")

    def to_dict(self) -> dict:
        return asdict(self)

    def select(self, train: np.ndarray, seed: int) -> np.ndarray:
        n = self.count if self.count is not None else round(self.fraction * len(train))
        if not 0 < n < len(train):
            raise UserError(
                f"forget set of {n} pairs does not fit a train split of {len(train)}; "
                "lower the forget count or fraction."
            )
        rng = np.random.default_rng([seed, 0xF06E7])
        return np.sort(rng.choice(train, size=n, replace=False))


@dataclass(frozen=True)
class Splits:
    """Indices into the task's dataset. ``forget`` and ``retain`` partition ``train``."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    forget: np.ndarray
    retain: np.ndarray

    @classmethod
    def build(cls, n: int, seed: int, forget: ForgetSpec, val_frac=0.1, test_frac=0.1):
        """Deterministic train/val/test permutation for the seed; forget drawn from train."""
        order = np.random.default_rng([seed, 0x5B117]).permutation(n)
        n_val, n_test = round(val_frac * n), round(test_frac * n)
        val, test = np.sort(order[:n_val]), np.sort(order[n_val : n_val + n_test])
        train = np.sort(order[n_val + n_test :])
        forget_idx = forget.select(train, seed)
        retain = np.setdiff1d(train, forget_idx, assume_unique=True)
        return cls(train=train, val=val, test=test, forget=forget_idx, retain=retain)

    def forget_hash(self) -> str:
        return hashlib.sha256(np.asarray(self.forget, dtype=np.int64).tobytes()).hexdigest()[:16]
