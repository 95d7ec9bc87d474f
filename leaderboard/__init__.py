"""Leaderboard: records from the store -> table model -> one small renderer per format.

    from bench.store import Store
    from leaderboard import build_tables, RENDERERS
    print(RENDERERS["md"](build_tables(Store(results_dir, create=False).records())))

One table per (task, task params, forget spec), one row per (method, method params), one
column per metric the records report (``build_tables(records, detail=True)`` adds per-K
recalls), plus paired ``gap.<metric>`` columns for every metric judged against retrain.

This package never imports torch: of ``bench`` it imports only ``bench.directions`` and
``bench.record`` (``bench``'s exports are lazy), so it reads records and nothing else.
"""

from leaderboard.columns import Column
from leaderboard.json_table import SCHEMA, render_json
from leaderboard.markdown import render_markdown
from leaderboard.table import Cell, Row, Table, build_tables

RENDERERS = {"md": render_markdown, "json": render_json}

__all__ = [
    "RENDERERS", "SCHEMA", "Cell", "Column", "Row", "Table", "build_tables", "render_json",
    "render_markdown",
]
