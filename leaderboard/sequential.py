"""The per-request view of sequential deletion.

A sequential forget spec gives one table per request (``forget sequential 10% step=2
steps=3``: what the methods did after the second of three requests). A ``StepView`` puts the
tables of one (task, task params, sequential spec) side by side: per row, the forget score
(forget.r_mean, else forget.acc) after each request and its paired gap to retrain, the cells
the tables computed (mean ± 95% CI over seeds). Renderers show it after the tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from leaderboard.aggregate import Cell
from leaderboard.columns import GAP_PREFIX
from leaderboard.formatting import format_cell
from leaderboard.labels import table_title
from leaderboard.table import Table

FORGET_SCORES = ("forget.r_mean", "forget.acc")


@dataclass
class StepView:
    title: str  # the task and the sequential spec, without the step
    metric: str  # the forget score shown
    steps: list[int]  # the requests, in order
    #: row label -> (score cell, gap-to-retrain cell or None) per step; None where the row has
    #: no record after that request
    rows: dict[str, list[tuple[Cell, Cell | None] | None]]


def step_views(tables: Sequence[Table]) -> list[StepView]:
    """One view per (task, task params, sequential spec) among ``tables``, in table order."""
    series: dict[str, list[Table]] = {}
    for table in tables:
        if table.forget.get("kind") == "sequential" and table.forget.get("step") is not None:
            series.setdefault(_series_key(table), []).append(table)
    return [view for group in series.values() if (view := _view(group)) is not None]


def _series_key(table: Table) -> str:
    spec = {k: v for k, v in table.forget.items() if k != "step"}
    return json.dumps([table.task, table.task_params, spec], sort_keys=True, default=str)


def _view(tables: list[Table]) -> StepView | None:
    tables = sorted(tables, key=lambda t: t.forget["step"])
    present = {c.metric for t in tables for c in t.columns}
    metric = next((m for m in FORGET_SCORES if m in present), None)
    if metric is None:
        return None
    first = tables[0]
    spec = {k: v for k, v in first.forget.items() if k != "step"}
    title = f"{table_title(first.task, first.task_params, spec, ())}: per request"
    labels = list(dict.fromkeys(row.label for t in tables for row in t.rows))
    rows: dict[str, list] = {label: [] for label in labels}
    for table in tables:
        by_label = {row.label: row for row in table.rows}
        for label in labels:
            row = by_label.get(label)
            rows[label].append(None if row is None or metric not in row.cells else
                               (row.cells[metric], row.cells.get(GAP_PREFIX + metric)))
    return StepView(title=title, metric=metric, steps=[t.forget["step"] for t in tables], rows=rows)


def step_headers(view: StepView) -> list[str]:
    return [f"after request {step}" for step in view.steps]


def step_text(view: StepView, entry: tuple[Cell, Cell | None] | None) -> str:
    """``score (gap to retrain)``, e.g. ``58.6 ± 2.9 (+22.2 ± 3.1)``; ``—`` without a record."""
    if entry is None:
        return format_cell(view.metric, Cell(float("nan"), float("nan"), 0))
    score, gap = entry
    text = format_cell(view.metric, score)
    return f"{text} (gap {format_cell(GAP_PREFIX + view.metric, gap)})" if gap is not None and gap.n else text
