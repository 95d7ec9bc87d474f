"""Trial records grouped into what a selection rule judges: one ``Trial`` per parameter setting
(its records on the tuning seeds) and ``References``, the per-seed rows it may compare with.

Nothing here copies or iterates a record's metrics: a rule reads them by name, one at a time,
so a test can watch exactly which metrics (and which reference rows) a rule reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.record import FAILED
from bench.spec import REFERENCE_METHOD, canonical_json

RETRAIN = "retrain"
TUNING = "tuning"  # the manifest key that marks a tuning record (``bench.tuning.marks``)


@dataclass
class Trial:
    """One parameter setting of a study: its metrics per tuning seed (None: the cell failed)."""

    params: dict[str, Any]
    runs: dict[int, Mapping[str, float] | None] = field(default_factory=dict)
    number: int | None = None  # the Optuna trial that first proposed it
    cost_s: float = 0.0  # wall time of its cells: what tuning paid for it


class References:
    """The ``original`` and ``retrain`` rows of the tuning seeds, read lazily: ``retrain`` is
    only touched by a rule that asks for it (the oracle)."""

    def __init__(self, records: Iterable[Any]):
        self._rows = {(r.method, r.seed): r for r in records if r.method in (REFERENCE_METHOD, RETRAIN)}

    def original(self, seed: int) -> Mapping[str, float] | None:
        return self._metrics(REFERENCE_METHOD, seed)

    def retrain(self, seed: int) -> Mapping[str, float] | None:
        return self._metrics(RETRAIN, seed)

    def _metrics(self, method: str, seed: int) -> Mapping[str, float] | None:
        record = self._rows.get((method, seed))
        return None if record is None or record.status == FAILED else record.metrics


def config_of(cell: Mapping[str, Any]) -> str:
    """The configuration a cell belongs to: task, task params, forget spec, device, precision."""
    return canonical_json([cell["task"], cell["task_params"], cell["forget"], cell["device"], cell["precision"]])


def tuning_mark(record: Any) -> dict:
    return (record.manifest or {}).get(TUNING) or {}


def gather(records: Iterable[Any], config: str, method: str) -> tuple[list[Trial], References]:
    """The tuning trials of ``method`` in configuration ``config`` (``config_of``), whichever
    study proposed them, and the tuning runs' own ``original`` and ``retrain`` rows of it."""
    records = [r for r in records if tuning_mark(r) and config_of(r.cell) == config]
    trials: dict[str, Trial] = {}
    for record in records:
        mark = tuning_mark(record)
        if mark.get("role") != "trial" or record.method != method:
            continue
        key = canonical_json(record.cell["method_params"])
        trial = trials.setdefault(key, Trial(dict(record.cell["method_params"])))
        trial.runs[record.seed] = None if record.status == FAILED else record.metrics
        number = mark.get("trial")
        if number is not None and (trial.number is None or number < trial.number):
            trial.number = number
        trial.cost_s += float((record.manifest.get("timings") or {}).get("cell_s", 0.0))
    ordered = sorted(trials.values(), key=lambda t: (t.number is None, t.number or 0))
    return ordered, References(r for r in records if tuning_mark(r).get("role") == "reference")
