"""What one cell produces: its spec, status, metrics with their directions, and a manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, FAILED, FLAGGED = "ok", "failed", "flagged"


@dataclass
class Record:
    cell_id: str
    cell: dict[str, Any]  # CellSpec.to_dict(): task, task_params, method, method_params, forget, seed, attacks
    status: str
    error: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)  # metric -> bench.directions value
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.cell["task"]

    @property
    def method(self) -> str:
        return self.cell["method"]

    @property
    def seed(self) -> int:
        return self.cell["seed"]
