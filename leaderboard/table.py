"""Records -> the table model: one Table per (task, task params, forget spec), one Row per
(method, method params), one Column per metric the records report (see ``columns``).

This is the only place where numbers are computed; renderers (markdown, json, ...) only format
what is here, so every output format shows the same numbers (like HELM's presentation/table.py).

- Each cell is mean ± 95% Student-t half width over the seeds whose record is not failed
  (``ok`` and ``flagged`` records count; the harness's flags also raise row flags).
- Failed records are counted in ``Row.n_failed`` and their errors listed in the notes, never
  averaged.
- ``gap.<metric>`` cells, for every metric judged against retrain: per seed, the row's value
  minus retrain's on the same seed (paired), then mean ± CI of those differences. Retrain's
  own gap is exactly 0; the original's says how far from retrain the starting point was.
- Rows: original, retrain, then the other methods alphabetically; a method with several param
  settings has one row per setting, labelled with the params that differ (``labels``).
- Sanity flags are documented in ``flags``; the notes in ``notes``.

The leaderboard reads the store and nothing else, and stays torch-free: it imports only
``bench.directions`` and ``bench.record`` (``bench``'s exports are lazy).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from leaderboard.columns import GAP_PREFIX, Column, build_columns, is_gap
from leaderboard.flags import ORIGINAL, RETRAIN_METHOD, harness_flags, sanity_flags, task_score
from leaderboard.labels import distinguishing_keys, params_label, table_title
from leaderboard.notes import table_notes
from leaderboard.records import (RowKey, decode_key, done, key_order, per_seed, row_key, seed,
                                 table_key, values)
from leaderboard.stats import mean_ci, paired_gaps


@dataclass(frozen=True)
class Cell:
    mean: float
    half_width: float  # of the 95% t-interval; NaN when n < 2
    n: int  # seeds with a non-NaN value


@dataclass
class Row:
    method: str
    method_params: dict[str, Any]
    label: str  # the method, plus the params that tell its rows apart
    cells: dict[str, Cell]  # one per column metric
    n_seeds: int  # distinct seeds with a non-failed record
    n_failed: int
    flags: list[str] = field(default_factory=list)


@dataclass
class Table:
    task: str
    task_params: dict[str, Any]
    forget: dict[str, Any]
    title: str  # task, the task params that tell its tables apart, and the forget spec
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


def build_tables(records: Iterable[Any], detail: bool = False) -> list[Table]:
    """One Table per (task, task params, forget spec), sorted by task, then params by value.

    ``detail=True`` adds the per-K recall columns (``forget.a2b_r1`` ...) that the ``r_mean``
    columns summarise."""
    groups: dict[tuple, list[Any]] = defaultdict(list)
    for record in records:
        groups[table_key(record)].append(record)
    keys = sorted(groups, key=key_order)
    task_params: dict[str, list[dict]] = defaultdict(list)
    for key in keys:
        task_params[key[0]].append(decode_key(key)[1])
    shown = {task: distinguishing_keys(params) for task, params in task_params.items()}
    return [_build_table(key, groups[key], shown[key[0]], detail) for key in keys]


def _build_table(key: tuple, records: list[Any], shown_params: list[str], detail: bool) -> Table:
    task, task_params, forget = decode_key(key)
    by_row: dict[RowKey, list[Any]] = defaultdict(list)
    for record in records:
        by_row[row_key(record)].append(record)
    order = sorted(by_row, key=_row_order)
    labels = _row_labels(order)
    extra: list[str] = []
    reference = {}
    for name in (ORIGINAL, RETRAIN_METHOD):
        chosen = next((k for k in order if k[0] == name and done(by_row[k])), None)
        reference[name] = done(by_row[chosen]) if chosen else []
        if chosen and sum(k[0] == name for k in order) > 1:
            extra.append(f"Several {name} rows; {labels[chosen]} is the one gaps and flags use.")
    all_done = done(records)
    columns, direction_notes = build_columns(all_done, reference[RETRAIN_METHOD], detail)
    score = task_score(all_done)
    rows = [_build_row(k, labels[k], by_row[k], columns, reference, score) for k in order]
    notes = table_notes(columns, rows, [by_row[k] for k in order], direction_notes + extra)
    return Table(task=task, task_params=task_params, forget=forget,
                 title=table_title(task, task_params, forget, shown_params),
                 columns=columns, rows=rows, notes=notes)


def _build_row(key: RowKey, label: str, records: list[Any], columns: list[Column],
               reference: dict[str, list[Any]], score: str | None) -> Row:
    method, method_params = decode_key(key)
    mine = done(records)
    cells: dict[str, Cell] = {}
    flags: list[str] = []
    for col in columns:
        if is_gap(col.metric):
            base = col.metric[len(GAP_PREFIX):]
            gaps = paired_gaps(per_seed(mine, base), per_seed(reference[RETRAIN_METHOD], base))
            cells[col.metric] = Cell(*mean_ci(gaps.values()))
            continue  # a NaN gap comes from a NaN value, flagged on that value's own row
        found = values(mine, col.metric)
        cell = cells[col.metric] = Cell(*mean_ci(found))
        if found and not math.isfinite(cell.mean):
            flags.append(f"NaN metric: {col.metric}")
        elif cell.n < len(found):
            flags.append(f"NaN in {col.metric} ({len(found) - cell.n}/{len(found)} seeds)")
    flags += sanity_flags(method, mine, reference[ORIGINAL], score)
    seeds = [seed(r) for r in mine]
    if len(set(seeds)) < len(seeds):
        flags.append("duplicate seeds")
    flags += harness_flags(mine)
    return Row(method=method, method_params=method_params, label=label, cells=cells,
               n_seeds=len(set(seeds)), n_failed=len(records) - len(mine), flags=flags)


def _row_order(key: RowKey) -> tuple:
    fixed = {ORIGINAL: 0, RETRAIN_METHOD: 1}
    return (fixed.get(key[0], 2), key[0].lower()) + key_order(key)


def _row_labels(order: list[RowKey]) -> dict[RowKey, str]:
    """Each row's label: its method, plus the params that differ among that method's rows."""
    params_by_method: dict[str, list[dict]] = defaultdict(list)
    for key in order:
        params_by_method[key[0]].append(decode_key(key)[1])
    shown = {m: distinguishing_keys(params) for m, params in params_by_method.items()}
    return {key: params_label(key[0], decode_key(key)[1], shown[key[0]]) for key in order}
