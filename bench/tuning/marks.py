"""A store wrapper that writes a mark into the manifest of chosen records as they are stored.

``unlearnbench tune`` marks every record it writes with ``manifest["tuning"]`` (the study and
trial, or ``role: reference`` for the tuning seeds' original and retrain rows), which keeps
them out of the main leaderboard and puts them on the frontier; ``unlearnbench run`` marks the
cells that run a tuned preset with ``manifest["preset"]`` (where the values came from). The
runner sees an ordinary store: the marks are the driver's, written in the record's own
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.record import Record
from bench.store import Store


class MarkingStore:
    def __init__(self, store: Store, key: str, marks: Mapping[str, Any]):
        self.store, self.key, self.marks = store, key, dict(marks)  # cell id -> mark

    @property
    def path(self):
        return self.store.path

    def get(self, cell_id: str) -> Record | None:
        return self.store.get(cell_id)

    def put(self, record: Record) -> None:
        if record.cell_id in self.marks:
            record.manifest[self.key] = self.marks[record.cell_id]
        self.store.put(record)

    def records(self) -> list[Record]:
        return self.store.records()

    def close(self) -> None:
        self.store.close()
