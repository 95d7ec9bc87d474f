"""The table model, built from the results frame (``leaderboard.frame``) by groupby: one Table
per (task, task params, forget spec), one Row per (method, method params), one Column per
metric the records report (``columns``), the composite score first (``composite``).

This is the only place where numbers are computed (``aggregate``); renderers only format what
is here, so every output format shows the same numbers (like HELM's presentation/table.py).

- Failed records are counted in ``Row.n_failed``, flagged ``failed (k/n seeds)`` and their
  errors listed in the notes, never averaged.
- Rows: the reference rows ``original`` and ``retrain`` first, then the methods by composite
  score (``ranks``: collapsed rows after healthy ones; rows without a score last,
  alphabetically); a method with several param settings has one row per setting, labelled
  with the params that differ (``labels``).
- ``Row.hardware`` lists where a row's times were measured; ``Table.hardware`` is where most
  of the table's were, and ``measured_elsewhere`` tells the rows whose cost columns are not
  comparable with the rest.
- Sanity flags are documented in ``flags``; the notes in ``notes``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leaderboard.aggregate import Cell, empty_cells, row_cells
from leaderboard.columns import COMPOSITE, Column, build_columns
from leaderboard.flags import ORIGINAL, RETRAIN_METHOD, harness_flags, sanity_flags, task_score
from leaderboard.frame import records_frame
from leaderboard.labels import distinguishing_keys, params_label, table_title
from leaderboard.notes import table_notes
from leaderboard.ranks import REFERENCE_ROWS, column_ranks
from leaderboard.records import RowKey, decode_key, done, key_order


@dataclass
class Row:
    method: str
    method_params: dict[str, Any]
    label: str  # the method, plus the params that tell its rows apart
    cells: dict[str, Cell]  # one per column metric
    n_seeds: int  # distinct seeds with a non-failed record
    n_failed: int
    flags: list[str] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)  # column metric -> rank (1 = best)
    hardware: tuple[str, ...] = ()  # where its non-failed records were measured

    @property
    def rank(self) -> int | None:
        """The overall rank: by composite score; None for reference rows and unscored ones."""
        return self.ranks.get(COMPOSITE)


@dataclass
class Table:
    task: str
    task_params: dict[str, Any]
    forget: dict[str, Any]
    title: str  # task, the task params that tell its tables apart, and the forget spec
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    hardware: str = ""  # where most of its records were measured


def measured_elsewhere(table: Table, row: Row) -> bool:
    """Whether a row's times come (partly) from other hardware than most of the table's."""
    return any(h != table.hardware for h in row.hardware)


def build_tables(data: pd.DataFrame | Iterable[Any], detail: bool = False) -> list[Table]:
    """One Table per (task, task params, forget spec), sorted by task, then params by value.

    ``data`` is the results frame (``leaderboard.frame``), or records, which are turned into
    one. ``detail=True`` adds every metric recorded (e.g. the per-K recalls that ``r_mean``
    summarises); the default shows each metric family's headline."""
    df = data if isinstance(data, pd.DataFrame) else records_frame(data)
    if df.empty:
        return []
    groups = dict(tuple(df.groupby("table_key", sort=False)))
    keys = sorted(groups, key=key_order)
    task_params: dict[str, list[dict]] = {}
    for key in keys:
        task_params.setdefault(key[0], []).append(decode_key(key)[1])
    shown = {task: distinguishing_keys(params) for task, params in task_params.items()}
    metrics = df.attrs["metrics"]
    return [_build_table(key, groups[key], metrics, shown[key[0]], detail) for key in keys]


def _build_table(key: tuple, records: pd.DataFrame, metrics: list[str], shown_params: list[str],
                 detail: bool) -> Table:
    task, task_params, forget = decode_key(key)
    by_row = dict(tuple(records.groupby("row_key", sort=False)))
    order = sorted(by_row, key=_row_order)
    labels = _row_labels(order)
    extra: list[str] = []
    reference = {}
    for name in REFERENCE_ROWS:
        chosen = next((k for k in order if k[0] == name and not done(by_row[k]).empty), None)
        reference[name] = done(by_row[chosen]) if chosen else records.iloc[:0]
        if chosen and sum(k[0] == name for k in order) > 1:
            extra.append(f"Several {name} rows; {labels[chosen]} is the one gaps and flags use.")
    all_done = done(records)
    columns, direction_notes = build_columns(all_done, metrics, reference[RETRAIN_METHOD], detail)
    cells = row_cells(all_done, columns, reference[RETRAIN_METHOD])
    score = task_score(all_done)
    rows = [_build_row(k, labels[k], by_row[k], columns, cells.get(k) or empty_cells(columns),
                       reference[ORIGINAL], score, forget.get("kind")) for k in order]
    modes = all_done["hardware"].mode()  # the most common; ties to the first by name
    hardware = modes.iloc[0] if len(modes) else ""
    for row, ranks in zip(rows, column_ranks(columns, rows, hardware)):
        row.ranks = ranks
    # Stable: unscored rows keep their alphabetical order.
    ranked = sorted(zip(rows, [by_row[k] for k in order]), key=lambda pair: _ranked_order(pair[0]))
    rows = [row for row, _ in ranked]
    notes = table_notes(columns, rows, [group for _, group in ranked], direction_notes + extra,
                        hardware)
    return Table(task=task, task_params=task_params, forget=forget,
                 title=table_title(task, task_params, forget, shown_params), columns=columns,
                 rows=rows, notes=notes, hardware=hardware)


def _build_row(key: RowKey, label: str, records: pd.DataFrame, columns: list[Column],
               cells: dict[str, Cell], original: pd.DataFrame, score: str | None,
               forget_kind: str | None) -> Row:
    method, method_params = decode_key(key)
    mine = done(records)
    flags = _nan_flags(mine, columns, cells) + sanity_flags(method, mine, original, score, forget_kind)
    seeds = list(mine["seed"])
    if len(set(seeds)) < len(seeds):
        flags.append("duplicate seeds")
    flags += harness_flags(records)
    return Row(method=method, method_params=method_params, label=label, cells=cells,
               n_seeds=len(set(seeds)), n_failed=len(records) - len(mine), flags=flags,
               hardware=tuple(sorted(set(mine["hardware"]))))


def _nan_flags(mine: pd.DataFrame, columns: list[Column], cells: dict[str, Cell]) -> list[str]:
    """A metric the row's records report but that is NaN: on every seed, or on some. (A NaN gap
    comes from a NaN value, flagged on that value's own row.)"""
    flags = []
    for col in columns:
        found = sum(col.metric in reported for reported in mine["reported"])
        n = cells[col.metric].n
        if found and not math.isfinite(cells[col.metric].mean):
            flags.append(f"NaN metric: {col.metric}")
        elif n < found:
            flags.append(f"NaN in {col.metric} ({found - n}/{found} seeds)")
    return flags


def _row_order(key: RowKey) -> tuple:
    fixed = {name: i for i, name in enumerate(REFERENCE_ROWS)}
    return (fixed.get(key[0], len(fixed)), key[0].lower()) + key_order(key)


def _ranked_order(row: Row) -> tuple:
    if row.method in REFERENCE_ROWS:
        return (0, 0)
    return (1, row.rank if row.rank is not None else float("inf"))


def _row_labels(order: list[RowKey]) -> dict[RowKey, str]:
    """Each row's label: its method, plus the params that differ among that method's rows."""
    params_by_method: dict[str, list[dict]] = {}
    for key in order:
        params_by_method.setdefault(key[0], []).append(decode_key(key)[1])
    shown = {m: distinguishing_keys(params) for m, params in params_by_method.items()}
    return {key: params_label(key[0], decode_key(key)[1], shown[key[0]]) for key in order}
