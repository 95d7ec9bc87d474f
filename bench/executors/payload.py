"""What crosses a process boundary: a cell as plain JSON, and back.

A job's payload holds the cell (``CellSpec.to_dict`` plus what the id and the worker need besides:
the code hashes, the budget, the method file that registers a method which is not built in), the
cache dir, and the hard limit of its unlearning call. Records come back as ``Record`` fields.
Nothing else travels: no models, no tasks, no pickles.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench.record import Record
from bench.spec import CellSpec
from bench.splits import ForgetSpec


def cell_payload(cell: CellSpec, cache_dir: Path, limit_s: float) -> dict[str, Any]:
    """The JSON job of one cell; ``limit_s`` is its budget plus grace (``bench.runner.grace_s``)."""
    return {"cell": {**cell.to_dict(), "code": dict(cell.code), "budget_s": cell.budget_s,
                     "method_file": cell.method_file, "data_dir": cell.data_dir},
            "cache_dir": str(cache_dir), "limit_s": limit_s}


def payload_cell(payload: dict[str, Any]) -> CellSpec:
    """The ``CellSpec`` a payload was made from (same ``cell_id``)."""
    raw = payload["cell"]
    cell = CellSpec.make(raw["task"], raw["task_params"], raw["method"], raw["method_params"],
                         ForgetSpec.parse(raw["forget"]), raw["seed"], raw["attacks"], raw["budget_s"],
                         raw["device"], raw["precision"], raw["code"])
    return replace(cell, method_file=raw["method_file"], data_dir=raw.get("data_dir"))


def record_payload(record: Record) -> dict[str, Any]:
    return asdict(record)


def payload_record(raw: dict[str, Any]) -> Record:
    return Record(**raw)
