"""What a text renderer shows in a table cell: the formatted number, with the hardware mark on
cost cells of rows measured elsewhere (``table.measured_elsewhere``). Shared by the markdown,
LaTeX and HTML renderers, so they agree on every character but their own escaping."""

from __future__ import annotations

from leaderboard.columns import COST, Column
from leaderboard.formatting import HARDWARE_MARK, format_cell
from leaderboard.table import Row, Table, measured_elsewhere


def cell_text(table: Table, row: Row, column: Column) -> str:
    text = format_cell(column.metric, row.cells[column.metric])
    if column.group == COST and row.cells[column.metric].n and measured_elsewhere(table, row):
        text += f" {HARDWARE_MARK}"
    return text


def seeds_text(row: Row) -> str:
    return f"{row.n_seeds} ({row.n_failed} failed)" if row.n_failed else str(row.n_seeds)


def rank_text(row: Row) -> str:
    return str(row.rank) if row.rank is not None else ""
