"""CSV renderer: the table model in long ("tidy") form, one line per (table, row, column), so
that it loads straight into pandas, R or a spreadsheet pivot without parsing ``±`` strings.

Columns (in this order)::

    table, task, task_params, forget, method, method_params, label, rank, n_seeds,
    n_failed, flags, metric, header, direction, group, mean, ci95, n, column_rank

``task_params``, ``forget`` and ``method_params`` are canonical JSON; ``flags`` are joined
with ``; ``; numbers keep full precision (``repr``), missing ones (NaN, ±inf, no value) are
empty; ``rank`` is the row's rank by composite score and ``column_rank`` its rank in that
column (empty where unranked). Quoting follows RFC 4180 (the csv module). A user string that
a spreadsheet would run as a formula (starting with ``= + - @`` or a tab/CR) is prefixed with
``'``, the usual defence against CSV injection.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from leaderboard.records import canonical
from leaderboard.table import Table

HEADER = ("table", "task", "task_params", "forget", "method", "method_params", "label", "rank",
          "n_seeds", "n_failed", "flags", "metric", "header", "direction", "group", "mean",
          "ci95", "n", "column_rank")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(tables: Sequence[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for table in tables:
        for row in table.rows:
            for col in table.columns:
                cell = row.cells[col.metric]
                writer.writerow([
                    _text(table.title), _text(table.task), _text(canonical(table.task_params)),
                    _text(canonical(table.forget)), _text(row.method),
                    _text(canonical(row.method_params)), _text(row.label), _int(row.rank),
                    row.n_seeds, row.n_failed, _text("; ".join(row.flags)), _text(col.metric),
                    col.header, col.direction, col.group, _number(cell.mean),
                    _number(cell.half_width), cell.n, _int(row.ranks.get(col.metric)),
                ])
    return out.getvalue()


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def _number(x: float) -> str:
    return repr(float(x)) if x is not None and math.isfinite(x) else ""
