"""What one cell produces: its spec, status, metrics with their directions, and a manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, FAILED, FLAGGED = "ok", "failed", "flagged"
# Flags the harness records on a cell (``Record.flags``); any flag makes the status ``flagged``.
EARLY_STOP = "early stop"  # the method hit its soft deadline and returned what it had
ATTACK_FAILED = "attack failed"  # one attack raised; only its metrics are missing (see error)
NON_FINITE = "non-finite metrics"


@dataclass
class Record:
    cell_id: str
    # CellSpec.to_dict(): task, task_params, method, method_params, forget, seed,
    # attacks ({name: params}), device, precision
    cell: dict[str, Any]
    status: str
    error: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)  # metric -> bench.directions value
    manifest: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # EARLY_STOP, ATTACK_FAILED, NON_FINITE

    @property
    def task(self) -> str:
        return self.cell["task"]

    @property
    def method(self) -> str:
        return self.cell["method"]

    @property
    def seed(self) -> int:
        return self.cell["seed"]
