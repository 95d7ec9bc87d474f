"""Results as a pandas DataFrame: the public entry point for notebooks, and what the table
model is built from.

    import leaderboard
    df = leaderboard.frame("results")          # one row per record
    df.groupby(["task", "method"])["forget.r_mean"].mean()

Columns:

- ``cell_id``, ``task``, ``method``, ``seed``, ``status`` (ok | failed | flagged), ``error``,
  ``flags`` (tuple of harness flags), ``hardware`` (where the cell's times were measured),
  ``provenance`` (where the method's code came from: ``bench.provenance.label``),
  ``commit`` and ``version`` (code commit and unlearnbench version from the manifest);
- the spec as dicts, ``task_params``, ``method_params``, ``forget_spec``, ``manifest``,
  ``directions`` (metric -> declared direction), ``reported`` (the metric names the record
  has, so a NaN value can be told from a missing one), and flattened one column per key:
  ``task_params.<key>``, ``method_params.<key>``, ``forget_spec.<key>``;
- ``table_key`` and ``row_key``: hashable keys of the configuration (task, task params, forget
  spec) and the row (method, method params) the record belongs to (see ``records``);
- one float column per metric any record reports, named as recorded (``forget.r_mean``);
  NaN where a record lacks the metric or its value is not a number. ``df.attrs["metrics"]``
  lists these columns.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import UserError
from bench.provenance import label as provenance_label
from bench.store import Store
from leaderboard.records import row_key, table_key

TUNING = "tuning"  # the manifest key of a tuning record (``bench.tuning.evidence.TUNING``)
SPEC_COLUMNS = {"task_params": "task_params", "method_params": "method_params",
                "forget_spec": "forget"}  # frame column -> key in the record's cell
BASE_COLUMNS = ("cell_id", "task", "method", "seed", "status", "error", "flags", "hardware", "provenance",
                "commit", "version", "manifest", "directions", "reported", "table_key", "row_key",
                *SPEC_COLUMNS)


def frame(results_dir: str | Path, trials: bool = False) -> pd.DataFrame:
    """The records of the results store in ``results_dir``, one row each; a missing or
    unreadable store raises ``bench.errors.UserError`` (one line for the CLI). Records of
    ``unlearnbench tune`` (``manifest["tuning"]``: trials and their tuning seeds' reference
    rows) are left out unless ``trials``: they belong on the frontier (``leaderboard.frontier``),
    not in the tables."""
    try:
        store = Store(results_dir, create=False)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{results_dir}: not a readable results store ({exc}).") from None
    try:
        return records_frame(r for r in store.records() if trials or TUNING not in r.manifest)
    finally:
        store.close()


def records_frame(records: Iterable[Any]) -> pd.DataFrame:
    """The same frame from ``bench.record.Record`` objects (or anything shaped like them)."""
    pairs = [_row(r) for r in records]
    rows, values = [p[0] for p in pairs], [p[1] for p in pairs]
    flat = sorted({c for r in rows for c in r} - set(BASE_COLUMNS))
    metrics = sorted({m for v in values for m in v})
    df = pd.concat([pd.DataFrame(rows, columns=[*BASE_COLUMNS, *flat]),
                    pd.DataFrame(values, columns=metrics, dtype=float)], axis=1)
    df.attrs["metrics"] = metrics
    return df


def hardware_text(manifest: dict) -> str:
    """Where a record's times were measured (times only compare on the same machine)."""
    hw = (manifest or {}).get("hardware") or {}
    host = f"CPU {hw.get('cpu') or 'unknown'}, {hw.get('torch_threads', '?')} torch threads"
    return f"GPU {hw['gpu']}, {host}" if hw.get("gpu") else host


def _row(record: Any) -> tuple[dict, dict]:
    """(spec and status columns, metric values) of one record."""
    cell, manifest = record.cell, getattr(record, "manifest", None) or {}
    row = {"cell_id": record.cell_id, "task": str(cell["task"]), "method": str(cell["method"]),
           "seed": cell.get("seed"), "status": record.status, "error": record.error or "",
           "flags": tuple(record.flags or ()), "hardware": hardware_text(manifest),
           "provenance": provenance_label(manifest),
           "commit": manifest.get("code_commit", "unknown"),
           "version": (manifest.get("packages") or {}).get("unlearnbench", "unknown"),
           "manifest": manifest, "directions": dict(record.directions or {}),
           "reported": tuple(sorted(record.metrics)),
           "table_key": table_key(record), "row_key": row_key(record)}
    for column, key in SPEC_COLUMNS.items():
        row[column] = dict(cell.get(key) or {})
        row.update({f"{column}.{k}": v for k, v in row[column].items()})
    return row, {m: _number(v) for m, v in record.metrics.items()}


def _number(value: Any) -> float:
    try:
        return math.nan if value is None else float(value)
    except (TypeError, ValueError):
        return math.nan
