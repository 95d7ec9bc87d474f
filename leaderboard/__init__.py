"""Leaderboard: records from the store -> a pandas frame -> the table model -> one small
renderer per format.

    import leaderboard
    df = leaderboard.frame("results")                 # one row per record, for notebooks
    tables = leaderboard.build_tables(df)             # one table per configuration
    print(leaderboard.RENDERERS["md"](tables))        # md | csv | json | latex
    leaderboard.write_site(tables, "results/site")    # index.html + plots

One table per (task, task params, forget spec), one row per (method, method params), one
column per metric the records report (``build_tables(df, detail=True)`` adds per-K recalls),
paired ``gap.<metric>`` columns for every metric judged against retrain, and the composite
score (``composite``) first.

This package never imports torch: of ``bench`` it imports only ``bench.directions``,
``bench.record`` and ``bench.store`` (``bench``'s exports are lazy), so it reads records and
nothing else.
"""

from leaderboard.aggregate import Cell
from leaderboard.columns import Column
from leaderboard.csv_table import render_csv
from leaderboard.frame import frame, records_frame
from leaderboard.json_table import SCHEMA, render_json
from leaderboard.latex import render_latex
from leaderboard.markdown import render_markdown
from leaderboard.site import write_site
from leaderboard.table import Row, Table, build_tables

RENDERERS = {"md": render_markdown, "csv": render_csv, "json": render_json,
             "latex": render_latex}

__all__ = [
    "RENDERERS", "SCHEMA", "Cell", "Column", "Row", "Table", "build_tables", "frame",
    "records_frame", "render_csv", "render_json", "render_latex", "render_markdown",
    "write_site",
]
