"""Frozen cell specs whose hash names their record (like HELM's RunSpec)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bench.splits import ForgetSpec

REFERENCE_METHOD = "original"  # the model before unlearning, evaluated as a reference row


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def spec_hash(value: Any, length: int = 16) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in params.items()))


def _thaw(frozen: tuple) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in frozen}


@dataclass(frozen=True)
class CellSpec:
    """One unit of work: (task + params, method + params, forget spec, seed, attacks, budget).

    Params are the *resolved* ``get_params()`` of the built objects, defaults included, so a
    changed default yields a new id instead of silently reusing an old record.
    """

    task: str
    task_params: tuple
    method: str
    method_params: tuple
    forget: ForgetSpec
    seed: int
    attacks: tuple[str, ...]
    budget_s: float

    @classmethod
    def make(cls, task: str, task_params: dict, method: str, method_params: dict,
             forget: ForgetSpec, seed: int, attacks, budget_s: float) -> "CellSpec":
        return cls(task, _freeze(task_params), method, _freeze(method_params), forget, int(seed),
                   tuple(attacks), float(budget_s))

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task, "task_params": _thaw(self.task_params),
            "method": self.method, "method_params": _thaw(self.method_params),
            "forget": self.forget.to_dict(), "seed": self.seed,
            "attacks": list(self.attacks), "budget_s": self.budget_s,
        }

    @property
    def cell_id(self) -> str:
        return spec_hash(self.to_dict())

    def group_key(self) -> tuple:
        """Cells sharing a task, seed and forget split share the original and the reference."""
        return (self.task, self.task_params, self.seed, self.forget)

    def reference(self) -> "CellSpec":
        """The ``original`` row of this cell's group."""
        return CellSpec(self.task, self.task_params, REFERENCE_METHOD, (), self.forget, self.seed,
                        self.attacks, self.budget_s)
