"""Keys and selections: which table and row a record belongs to, and per-seed values.

A table is keyed by (task, task params, forget spec) and a row by (method, method params), so
two configurations are never averaged together. Params are the cell's JSON-able dicts (resolved
``get_params()``, defaults included); their canonical JSON is the hashable part of a key, which
``decode_key`` turns back into the dicts.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from bench.record import FAILED

TableKey = tuple[str, str, str]  # task, canonical task params, canonical forget spec
RowKey = tuple[str, str]  # method, canonical method params


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def table_key(record: Any) -> TableKey:
    cell = record.cell
    return (str(cell["task"]), canonical(cell.get("task_params") or {}),
            canonical(cell.get("forget") or {}))


def row_key(record: Any) -> RowKey:
    return str(record.cell["method"]), canonical(record.cell.get("method_params") or {})


def decode_key(key: tuple[str, ...]) -> tuple[Any, ...]:
    """The name and the params dicts a key was made from."""
    return (key[0],) + tuple(json.loads(part) for part in key[1:])


def key_order(key: tuple[str, ...]) -> tuple:
    """Sort order of a key: name, then params by value (so 5% sorts before 10%), then text."""
    return (key[0],) + tuple(value_order(json.loads(part)) for part in key[1:]) + key[1:]


def value_order(value: Any) -> tuple:
    """A total order over JSON values: null, booleans, numbers by value, strings, objects, lists."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (2, math.isnan(value), 0.0 if math.isnan(value) else float(value))
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, dict):
        return (4, tuple((str(k), value_order(v)) for k, v in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return (5, tuple(value_order(v) for v in value))
    return (6, repr(value))


def done(df: pd.DataFrame) -> pd.DataFrame:
    """Records whose numbers count: ``ok`` and ``flagged`` ones (failed runs are not averaged)."""
    return df[df["status"] != FAILED]


def per_seed(df: pd.DataFrame, metric: str) -> pd.Series:
    """``metric`` indexed by seed (NaN where it is missing); a repeated seed keeps its last."""
    if metric not in df.columns:
        return pd.Series(dtype=float)
    series = df.set_index("seed")[metric].astype(float)
    return series[~series.index.duplicated(keep="last")]
