"""JSON renderer: the table model as a versioned, documented document.

Schema ``unlearnbench.leaderboard/3``::

    {
      "schema": "unlearnbench.leaderboard/3",
      "tables": [                        # one per (task, task_params, forget), sorted by task,
        {                                # then params by value
          "task": str,
          "task_params": {str: any},     # the cell's resolved task params
          "forget": {str: any},          # the forget spec, e.g. {"kind": "random",
                                         #   "fraction": 0.1, "count": null}
          "title": str,                  # e.g. "emoji_retrieval · forget random 10%"; task
                                         # params appear only where tables of a task differ
          "hardware": str,               # where most of the table's records were measured
          "columns": [                   # in display order; the first is "composite"
            {"metric": str,              # "composite" (the score of leaderboard.composite:
                                         # mean normalized gap to retrain, lower is better),
                                         # a record metric name, e.g. "forget.r_mean", or the
                                         # derived "gap.<metric>" (method − retrain, paired per
                                         # seed) for every metric judged against retrain
             "header": str,              # short display header with direction marker
             "direction": "higher" | "lower" | "retrain" | "info",
                                         # retrain: closest to retrain best (a gap: 0 best);
                                         # info: reported, never ranked
             "group": "summary" | "forgetting" | "utility" | "distance" | "cost" | "other"}
          ],
          "rows": [                      # original, retrain, then the others by rank
                                         # (unranked ones last, alphabetically)
            {"method": str,
             "method_params": {str: any},  # the cell's resolved method params
             "label": str,               # method plus the params that tell its rows apart,
                                         # e.g. "multidelete (lr=0.0005)"
             "n_seeds": int,             # seeds with a non-failed record
             "n_failed": int,            # failed records (not averaged)
             "rank": int | null,         # by composite score, 1 best; null for original,
                                         # retrain and rows without a score
             "hardware": [str],          # where its non-failed records were measured
             "flags": [str],             # sanity and harness flags, e.g. "no-op",
                                         # "early stop (1/3 seeds)", "failed (1/4 seeds)"
             "cells": {metric: {         # one entry per column metric
                 "mean": float | null,   # mean over seeds; null when nothing was measured/NaN
                 "ci95": float | null,   # half width of the two-sided 95% Student-t interval;
                                         # null with fewer than 2 seeds
                 "n": int,               # seeds with a non-NaN value
                 "rank": int | null}}}   # in this column by its direction (leaderboard.ranks);
                                         # null where unranked
          ],
          "notes": [str]                 # how to read the table; failed-run errors
        }
      ]
    }

Changes from ``/2``: the ``composite`` column (group ``summary``) comes first; rows are sorted
by it and carry ``rank`` and ``hardware``; every cell carries its column ``rank``; tables carry
``hardware``; failed records raise the row flag ``failed (k/n seeds)``.

Changes from ``/1`` to ``/2``: tables are keyed by task params and forget spec as well
(``task_params``, ``forget``, ``title``); rows by method params (``method_params``, ``label``);
columns come from the records (direction ``info``, groups ``distance`` and ``other``); gap
columns are named ``gap.<metric>`` (``gap.forget.r_mean``, formerly ``gap.forget_r_mean``).

Numbers keep full precision. NaN and ±inf are written as ``null`` so the output is strict JSON
(RFC 8259), readable by any parser. A change to this shape bumps the version suffix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict

from leaderboard.table import Cell, Table

SCHEMA = "unlearnbench.leaderboard/3"


def render_json(tables: Sequence[Table]) -> str:
    return json.dumps(document(tables), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def document(tables: Sequence[Table]) -> dict:
    """The JSON document as Python objects (what ``compare`` reads from either input)."""
    return {"schema": SCHEMA, "tables": [_table(t) for t in tables]}


def _table(table: Table) -> dict:
    return {
        "task": table.task,
        "task_params": table.task_params,
        "forget": table.forget,
        "title": table.title,
        "hardware": table.hardware,
        "columns": [asdict(c) for c in table.columns],
        "rows": [
            {
                "method": row.method,
                "method_params": row.method_params,
                "label": row.label,
                "n_seeds": row.n_seeds,
                "n_failed": row.n_failed,
                "rank": row.rank,
                "hardware": list(row.hardware),
                "flags": list(row.flags),
                "cells": {c.metric: _cell(row.cells[c.metric], row.ranks.get(c.metric))
                          for c in table.columns},
            }
            for row in table.rows
        ],
        "notes": list(table.notes),
    }


def _cell(cell: Cell, rank: int | None) -> dict:
    return {"mean": _number(cell.mean), "ci95": _number(cell.half_width), "n": int(cell.n),
            "rank": rank}


def _number(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
