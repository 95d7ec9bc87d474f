"""The results store: one SQLite file per results dir, one transaction per record.

The schema is versioned; a file written by another schema version is refused with a clear
message instead of being misread. Leaderboards are derived from this file and can be rebuilt.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bench.errors import UserError
from bench.record import Record

SCHEMA_VERSION = 2
FILENAME = "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    cell_id    TEXT PRIMARY KEY,
    task       TEXT NOT NULL,
    method     TEXT NOT NULL,
    seed       INTEGER NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT NOT NULL,
    cell       TEXT NOT NULL,
    metrics    TEXT NOT NULL,
    directions TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    flags      TEXT NOT NULL,
    written_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


class Store:
    def __init__(self, results_dir: Path | str, *, create: bool = True):
        self.path = Path(results_dir) / FILENAME
        if not create and not self.path.exists():
            raise UserError(
                f"no results at {self.path}; run `unlearnbench run --results {results_dir}` first."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        with self._db:
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise UserError(
                    f"{self.path} has schema version {row[0]}, this unlearnbench reads "
                    f"{SCHEMA_VERSION}; use a new --results dir."
                )

    def put(self, record: Record) -> None:
        with self._db:  # one transaction per record
            self._db.execute(
                "INSERT OR REPLACE INTO records (cell_id, task, method, seed, status, error, cell,"
                " metrics, directions, manifest, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.cell_id, record.task, record.method, record.seed, record.status,
                    record.error, json.dumps(record.cell, sort_keys=True),
                    json.dumps(record.metrics, sort_keys=True),
                    json.dumps(record.directions, sort_keys=True),
                    json.dumps(record.manifest, sort_keys=True, default=str),
                    json.dumps(record.flags),
                ),
            )

    def get(self, cell_id: str) -> Record | None:
        rows = self._select("WHERE cell_id = ?", (cell_id,))
        return rows[0] if rows else None

    def records(self) -> list[Record]:
        return self._select("ORDER BY task, method, seed", ())

    def _select(self, where: str, args: tuple) -> list[Record]:
        cursor = self._db.execute(
            "SELECT cell_id, cell, status, error, metrics, directions, manifest, flags FROM records " + where,
            args,
        )
        return [
            Record(cell_id=c, cell=json.loads(cell), status=s, error=e, metrics=json.loads(m),
                   directions=json.loads(d), manifest=json.loads(man), flags=json.loads(f))
            for c, cell, s, e, m, d, man, f in cursor
        ]

    def close(self) -> None:
        self._db.close()
