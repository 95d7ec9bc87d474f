"""Leaderboard: records from the store -> table model -> one small renderer per format.

    from bench.store import Store
    from leaderboard import build_tables, RENDERERS
    print(RENDERERS["md"](build_tables(Store(results_dir, create=False).records())))

This package never imports torch (nor ``bench``, whose ``__init__`` does): it reads records only.
"""

from leaderboard.json_table import SCHEMA, render_json
from leaderboard.markdown import render_markdown
from leaderboard.table import Cell, Column, Row, Table, build_tables

RENDERERS = {"md": render_markdown, "json": render_json}

__all__ = [
    "RENDERERS", "SCHEMA", "Cell", "Column", "Row", "Table", "build_tables", "render_json",
    "render_markdown",
]
