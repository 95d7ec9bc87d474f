"""JSON renderer: the table model as a versioned, documented document.

Schema ``unlearnbench.leaderboard/1``::

    {
      "schema": "unlearnbench.leaderboard/1",
      "tables": [                        # one per task, sorted by task name
        {
          "task": str,
          "columns": [                   # in display order
            {"metric": str,              # record metric name, e.g. "forget.r_mean", or the
                                         # derived "gap.forget_r_mean" (method − retrain, paired
                                         # per seed)
             "header": str,              # short display header with direction arrow
             "direction": "higher" | "lower" | "retrain",   # retrain: closest to retrain best
             "group": "forgetting" | "utility" | "cost"}
          ],
          "rows": [                      # original, retrain, then other methods alphabetically
            {"method": str,
             "n_seeds": int,             # seeds with a non-failed record
             "n_failed": int,            # failed records (not averaged)
             "flags": [str],             # sanity flags, e.g. "no memorization"
             "cells": {metric: {         # one entry per column metric
                 "mean": float | null,   # mean over seeds; null when nothing was measured/NaN
                 "ci95": float | null,   # half width of the two-sided 95% Student-t interval;
                                         # null with fewer than 2 seeds
                 "n": int}}}             # seeds with a non-NaN value
          ],
          "notes": [str]                 # how to read the table; failed-run errors
        }
      ]
    }

Numbers keep full precision. NaN and ±inf are written as ``null`` so the output is strict JSON
(RFC 8259), readable by any parser. A change to this shape bumps the version suffix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict

from leaderboard.table import Cell, Table

SCHEMA = "unlearnbench.leaderboard/1"


def render_json(tables: Sequence[Table]) -> str:
    document = {"schema": SCHEMA, "tables": [_table(t) for t in tables]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _table(table: Table) -> dict:
    return {
        "task": table.task,
        "columns": [asdict(c) for c in table.columns],
        "rows": [
            {
                "method": row.method,
                "n_seeds": row.n_seeds,
                "n_failed": row.n_failed,
                "flags": list(row.flags),
                "cells": {c.metric: _cell(row.cells[c.metric]) for c in table.columns},
            }
            for row in table.rows
        ],
        "notes": list(table.notes),
    }


def _cell(cell: Cell) -> dict:
    return {"mean": _number(cell.mean), "ci95": _number(cell.half_width), "n": int(cell.n)}


def _number(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
