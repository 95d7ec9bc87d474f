"""Ranks per column, by the column's declared direction; the composite column's rank is the
row's overall rank and the table's default order.

- Only method rows are ranked: ``original`` and ``retrain`` are the yardsticks, not entries.
- ``higher``: the largest mean is 1; ``lower``: the smallest; ``retrain`` (a metric judged
  against retrain): the smallest |mean − retrain's mean|; a ``gap.`` column: the smallest
  |mean|; ``info``: never ranked. Rows without a finite value get no rank.
- A ``collapsed`` row is ranked after every healthy row, in every column.
- Cost columns rank only the rows measured on the table's main hardware: times and memory
  from another machine do not compare.
- Ties share the best of their ranks (1, 2, 2, 4).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pandas as pd

from bench.directions import HIGHER, LOWER, RETRAIN
from leaderboard.columns import COST, Column, is_gap
from leaderboard.flags import COLLAPSED, ORIGINAL, RETRAIN_METHOD

REFERENCE_ROWS = (ORIGINAL, RETRAIN_METHOD)


def column_ranks(columns: Sequence[Column], rows: Sequence,
                 main_hardware: str) -> list[dict[str, int]]:
    """One {metric: rank} per row (in the order given); ``main_hardware`` is where most of the
    table was measured (``Row.hardware`` lists each row's machines)."""
    retrain = next((r for r in rows if r.method == RETRAIN_METHOD), None)
    entries = [i for i, row in enumerate(rows) if row.method not in REFERENCE_ROWS]
    here = [i for i in entries if set(rows[i].hardware) <= {main_hardware}]
    out: list[dict[str, int]] = [{} for _ in rows]
    for col in columns:
        badness = _badness(col, retrain)
        if badness is None:
            continue
        ranked = here if col.group == COST else entries
        bad = pd.Series([badness(rows[i].cells[col.metric].mean) for i in ranked], index=ranked,
                        dtype=float)
        bad = bad[bad.map(math.isfinite)]
        collapsed = pd.Series([COLLAPSED in rows[i].flags for i in bad.index], index=bad.index)
        # Dense ranks of the values, shifted past every healthy row for a collapsed one.
        order = bad.rank(method="dense") + collapsed * len(bad)
        for i, rank in order.rank(method="min").items():
            out[i][col.metric] = int(rank)
    return out


def _badness(col: Column, retrain) -> Callable[[float], float] | None:
    """A row's mean -> how bad it is (smaller is better); None where the column is unranked."""
    if col.direction == HIGHER:
        return lambda x: -x
    if col.direction == LOWER:
        return lambda x: x
    if col.direction == RETRAIN and is_gap(col.metric):
        return abs
    if col.direction == RETRAIN and retrain is not None:
        target = retrain.cells[col.metric].mean
        return lambda x: abs(x - target)
    return None
