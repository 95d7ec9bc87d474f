"""Deletion requests (forget specs) and the splits a task builds for one (seed, forget spec).

Train/val/test are cut by *group* (``Task.item_groups``: e.g. the image shared by five captions),
so no image sits in both train and test, and they never depend on the forget spec: the original
model is the same for every deletion request of a seed. The forget set is then drawn from train:

* ``random``: a uniformly random ``fraction`` (or exact ``count``) of the training pairs;
* ``image``: every training pair of a random ``fraction``/``count`` of the training groups;
* ``class``: every training pair of the listed ``classes``, or of a random ``fraction``/``count``
  of the classes present in train (``Task.item_labels``);
* ``sequential``: a random ``fraction``/``count`` of the training pairs, deleted in ``steps``
  requests of near-equal size that arrive one after another. A suite's sequential spec expands
  into one spec per ``step`` (``expand``): the cell of step j applies the method j times, each
  application's model the next one's input, and is judged against a model retrained without
  the first j requests. Its ``forget`` split is what has been deleted so far.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bench.errors import UserError

FORGET_KINDS = ("random", "image", "class", "sequential")
UNITS = {"random": "pairs", "image": "groups", "class": "classes", "sequential": "pairs"}
SPEC_KEYS = ("kind", "fraction", "count", "classes", "steps", "step")


def _number(value: Any, what: str, integer: bool) -> float | int:
    """A YAML number, or a numeric string (``"0.1"``, ``2e-5`` read by YAML 1.1 as a string)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise UserError(f"forget {what} must be a number, got {value!r}.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"forget {what} must be a number, got {value!r}.")
    if integer:
        if float(value) != int(value):
            raise UserError(f"forget {what} must be a whole number, got {value}.")
        return int(value)
    return float(value)


@dataclass(frozen=True)
class ForgetSpec:
    """What to delete; ``count`` wins over ``fraction`` when both are set."""

    kind: str = "random"
    fraction: float = 0.1
    count: int | None = None
    classes: tuple | None = None  # ``class`` only: the labels to forget
    steps: int | None = None  # ``sequential`` only: how many deletion requests
    step: int | None = None  # ``sequential`` only: after which request (default: the last)

    def __post_init__(self):
        if self.kind not in FORGET_KINDS:
            raise UserError(f"unknown forget kind {self.kind!r}; supported: {', '.join(FORGET_KINDS)}.")
        if self.count is None and not 0.0 < self.fraction < 1.0:
            raise UserError(f"forget fraction must be in (0, 1), got {self.fraction}.")
        if self.count is not None and self.count < 1:
            raise UserError(f"forget count must be a positive integer, got {self.count}.")
        if self.classes is not None and (self.kind != "class" or not self.classes):
            raise UserError("forget 'classes' is a non-empty list, and only for kind: class.")
        if (self.kind == "sequential") != (self.steps is not None):
            raise UserError("forget 'steps' (the number of deletion requests) is required for "
                            "kind: sequential, and only for it, e.g. {kind: sequential, steps: 3}.")
        if self.steps is not None and self.steps < 2:
            raise UserError(f"forget steps must be at least 2, got {self.steps}.")
        if self.step is not None and (self.steps is None or not 1 <= self.step <= self.steps):
            raise UserError(f"forget step must be between 1 and steps ({self.steps}), got {self.step}.")

    @classmethod
    def parse(cls, raw: Any) -> "ForgetSpec":
        """From a suite's mapping, e.g. ``{kind: image, count: 20}``; every error is one line."""
        if not isinstance(raw, dict):
            raise UserError("each forget spec must be a mapping such as {kind: random, fraction: 0.1}.")
        unknown = sorted(set(raw) - set(SPEC_KEYS))
        if unknown:
            raise UserError(f"forget spec has unknown key(s) {', '.join(unknown)}; "
                            f"allowed: {', '.join(SPEC_KEYS)}.")
        kind = raw.get("kind", "random")
        if not isinstance(kind, str):
            raise UserError(f"forget kind must be one of {', '.join(FORGET_KINDS)}, got {kind!r}.")
        classes = raw.get("classes")
        if classes is not None and not isinstance(classes, list):
            raise UserError(f"forget classes must be a list of labels, got {classes!r}.")
        return cls(
            kind=kind,
            fraction=_number(raw.get("fraction", 0.1), "fraction", integer=False),
            count=None if raw.get("count") is None else _number(raw["count"], "count", integer=True),
            classes=None if classes is None else tuple(classes),
            steps=None if raw.get("steps") is None else _number(raw["steps"], "steps", integer=True),
            step=None if raw.get("step") is None else _number(raw["step"], "step", integer=True),
        )

    def expand(self) -> list["ForgetSpec"]:
        """The specs a suite runs: one per step of a sequential spec, else this one."""
        if self.kind != "sequential" or self.step is not None:
            return [self]
        return [replace(self, step=j) for j in range(1, self.steps + 1)]

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "fraction": self.fraction, "count": self.count}
        if self.classes is not None:
            out["classes"] = list(self.classes)
        if self.steps is not None:  # absent otherwise, so other kinds keep their cell ids
            out.update(steps=self.steps, step=self.step)
        return out

    def label(self) -> str:
        size = f"{self.count} {UNITS[self.kind]}" if self.count is not None else f"{self.fraction:.0%} of {UNITS[self.kind]}"
        if self.steps is not None:
            return f"{self.kind}: {size} in {self.steps} requests, after request {self.step or self.steps}"
        return f"{self.kind}: classes {list(self.classes)}" if self.classes else f"{self.kind}: {size}"

    def _how_many(self, available: int) -> int:
        n = self.count if self.count is not None else round(self.fraction * available)
        if not 0 < n < available:
            raise UserError(
                f"forget spec ({self.label()}) selects {n} of the {available} training "
                f"{UNITS[self.kind]}; it must leave some to retain: lower the count or fraction."
            )
        return n

    def check(self, n_train: int, has_labels: bool) -> None:
        """What can be checked from sizes alone, before any data is loaded (``Task.check``)."""
        if self.kind == "class" and not has_labels:
            raise UserError("this task has no class labels; use forget kind random or image.")
        if self.kind in ("random", "sequential"):
            self._how_many(n_train)
        if self.kind == "sequential" and self._how_many(n_train) < self.steps:
            raise UserError(f"forget spec ({self.label()}) has fewer pairs than requests; "
                            "forget more or lower steps.")

    def requests(self, train: np.ndarray, seed: int, groups: np.ndarray,
                 labels: np.ndarray | None) -> list[np.ndarray]:
        """The deletion requests in the order they arrive, each sorted positions in ``train``:
        the requests up to ``step`` for a sequential spec, the whole forget set otherwise."""
        if self.kind != "sequential":
            return [self.select(train, seed, groups, labels)]
        rng = np.random.default_rng([seed, 0xF06E7])
        drawn = rng.choice(train, size=self._how_many(len(train)), replace=False)
        chunks = np.array_split(drawn, self.steps)[: self.step or self.steps]
        return [np.sort(chunk) for chunk in chunks]

    def select(self, train: np.ndarray, seed: int, groups: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
        """Dataset positions of the forget set, sorted; a subset of ``train``. For a sequential
        spec: every request up to ``step``."""
        if self.kind == "sequential":
            return np.sort(np.concatenate(self.requests(train, seed, groups, labels)))
        rng = np.random.default_rng([seed, 0xF06E7])
        if self.kind == "random":
            return np.sort(rng.choice(train, size=self._how_many(len(train)), replace=False))
        if self.kind == "image":
            units = np.unique(groups[train])
            chosen = rng.choice(units, size=self._how_many(len(units)), replace=False)
            keys = groups[train]
        else:
            if labels is None:
                raise UserError("this task has no class labels; use forget kind random or image.")
            keys = labels[train]
            units = np.unique(keys)
            chosen = self._chosen_classes(units, rng)
        forget = np.sort(train[np.isin(keys, chosen)])
        if len(forget) == len(train):
            raise UserError(f"forget spec ({self.label()}) removes every training pair; forget less.")
        return forget

    def _chosen_classes(self, present: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.classes is None:
            return rng.choice(present, size=self._how_many(len(present)), replace=False)
        wanted = np.asarray(self.classes, dtype=present.dtype)
        missing = sorted(set(wanted.tolist()) - set(present.tolist()))
        if missing:
            raise UserError(f"forget classes {missing} do not occur in train; "
                            f"the training labels are {sorted(present.tolist())}.")
        return wanted


@dataclass(frozen=True)
class Splits:
    """Indices into the task's dataset. ``forget`` and ``retain`` partition ``train``."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    forget: np.ndarray
    retain: np.ndarray
    #: The deletion requests, in order, that make up ``forget`` (several for a sequential spec).
    requests: tuple[np.ndarray, ...] = ()

    def steps(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(forget, retain)`` of each deletion request in turn: a request's retain set is the
        training data that no request so far has deleted."""
        requests, steps, deleted = self.requests or (self.forget,), [], np.empty(0, dtype=np.int64)
        for request in requests:
            deleted = np.union1d(deleted, request)
            steps.append((np.asarray(request), np.setdiff1d(self.train, deleted, assume_unique=True)))
        return steps

    @classmethod
    def build(cls, n: int, seed: int, forget: ForgetSpec, groups: np.ndarray | None = None,
              labels: np.ndarray | None = None, val_frac: float = 0.1, test_frac: float = 0.1) -> "Splits":
        """Deterministic train/val/test split by group for the seed; forget drawn from train."""
        groups = np.arange(n) if groups is None else np.asarray(groups)
        train, val, test = split_by_group(groups, seed, val_frac, test_frac)
        requests = forget.requests(train, seed, groups, None if labels is None else np.asarray(labels))
        forget_idx = np.sort(np.concatenate(requests))
        retain = np.setdiff1d(train, forget_idx, assume_unique=True)
        return cls(train=train, val=val, test=test, forget=forget_idx, retain=retain,
                   requests=tuple(requests))

    def forget_hash(self) -> str:
        return hashlib.sha256(np.asarray(self.forget, dtype=np.int64).tobytes()).hexdigest()[:16]


def split_by_group(groups: np.ndarray, seed: int, val_frac: float, test_frac: float):
    """(train, val, test) positions: groups in a seeded random order fill val, then test, each
    up to its share of the *items*; the rest is train. With one item per group this is a plain
    seeded permutation."""
    n = len(groups)
    unique, inverse, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    order = np.random.default_rng([seed, 0x5B117]).permutation(len(unique))
    starts = np.concatenate([[0], np.cumsum(sizes[order])[:-1]])
    n_val, n_test = round(val_frac * n), round(test_frac * n)
    part = np.full(len(unique), 0)  # 0 train, 1 val, 2 test, per group
    part[order[starts < n_val]] = 1
    part[order[(starts >= n_val) & (starts < n_val + n_test)]] = 2
    item_part = part[inverse]
    return tuple(np.flatnonzero(item_part == k) for k in (0, 1, 2))
