"""Frozen cell specs whose hash names their record (like HELM's RunSpec)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from bench.errors import UserError
from bench.splits import ForgetSpec

REFERENCE_METHOD = "original"  # the model before unlearning, evaluated as a reference row
PRECISIONS = ("fp32", "bf16")  # bench.precision says what each one runs


def parse_precision(value: Any, where: str) -> str:
    """``value`` if it names a precision, else one line saying which ones exist."""
    if value not in PRECISIONS:
        raise UserError(f"{where}: {value!r} is not a supported precision; use one of {', '.join(PRECISIONS)}.")
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def spec_hash(value: Any, length: int = 16) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


def _freeze(params: Mapping[str, Any]) -> tuple:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in params.items()))


def _thaw(frozen: tuple) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in frozen}


@dataclass(frozen=True)
class CellSpec:
    """One unit of work: (task + params, method + params, forget spec, seed, attacks + params,
    device, precision).

    Params are the *resolved* ``get_params()`` of the built objects, defaults included, so a
    changed default yields a new id instead of silently reusing an old record. Attacks are
    sorted by name, so their order in a suite does not matter. The budget is carried but is not
    part of the identity (nor of ``to_dict``): raising it does not rerun finished cells.
    ``code`` holds the hashes of the method's and the task's code (``bench.source``), which the
    id includes, so a record of other code is never reused.
    """

    task: str
    task_params: tuple
    method: str
    method_params: tuple
    forget: ForgetSpec
    seed: int
    attacks: tuple  # ((name, frozen params), ...) sorted by name
    device: str = "cpu"
    precision: str = "fp32"
    code: tuple = ()  # (("method", hash), ("task", hash))
    budget_s: float = field(default=900.0, compare=False)
    # The file that registers ``method`` when it is not built in or a plugin (``run
    # --method-file``), so whichever process runs the cell can load it. Like the budget, not
    # part of the identity: the file's code is, through its hash in ``code``.
    method_file: str | None = field(default=None, compare=False)
    # Where a task that reads the user's disk finds its data (``bench.task.DATA_DIR``): from
    # ``--data-dir`` or the suite's ``data_dir:``. Not part of the identity: moving the data
    # keeps the cell id.
    data_dir: str | None = field(default=None, compare=False)

    @classmethod
    def make(cls, task: str, task_params: Mapping, method: str, method_params: Mapping,
             forget: ForgetSpec, seed: int, attacks: Mapping[str, Mapping] | list[str], budget_s: float,
             device: str = "cpu", precision: str = "fp32", code: Mapping[str, str] | None = None,
             data_dir: str | None = None) -> "CellSpec":
        if not isinstance(attacks, Mapping):
            attacks = {name: {} for name in attacks}
        frozen_attacks = tuple(sorted((name, _freeze(p)) for name, p in attacks.items()))
        return cls(task, _freeze(task_params), method, _freeze(method_params), forget, int(seed),
                   frozen_attacks, device, precision, tuple(sorted((code or {}).items())), float(budget_s),
                   data_dir=data_dir)

    @property
    def attack_params(self) -> dict[str, dict[str, Any]]:
        return {name: _thaw(params) for name, params in self.attacks}

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task, "task_params": _thaw(self.task_params),
            "method": self.method, "method_params": _thaw(self.method_params),
            "forget": self.forget.to_dict(), "seed": self.seed, "attacks": self.attack_params,
            "device": self.device, "precision": self.precision,
        }

    @property
    def cell_id(self) -> str:
        return spec_hash({**self.to_dict(), "code": dict(self.code)})

    def group_key(self) -> tuple:
        """Cells sharing a task, seed, forget split and device share the original and the
        reference (and the device the original lives on)."""
        return (self.task, self.task_params, self.seed, self.forget, self.device, self.precision)

    def reference(self) -> "CellSpec":
        """The ``original`` row of this cell's group (its code is the task's alone)."""
        code = tuple((k, v) for k, v in self.code if k == "task")
        return CellSpec(self.task, self.task_params, REFERENCE_METHOD, (), self.forget, self.seed,
                        self.attacks, self.device, self.precision, code, self.budget_s, data_dir=self.data_dir)
