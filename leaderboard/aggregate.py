"""The numbers of a table, from its frame rows: mean ± 95% CI per (row, column) by groupby,
paired gaps to retrain, and the composite score.

- A metric cell is mean ± two-sided 95% Student-t half width over the row's non-failed
  records (``ok`` and ``flagged``), with n the seeds that have a number.
- A ``gap.<metric>`` cell pairs each seed with retrain's on the same seed (``stats.paired_gaps``)
  and takes mean ± CI of the differences; retrain's own gap is exactly 0, the original's says
  how far from retrain the starting point was.
- The ``composite`` cell is mean ± CI of the per-seed score of ``composite``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from leaderboard.columns import COMPOSITE, GAP_PREFIX, Column, is_gap
from leaderboard.composite import components, score_per_seed
from leaderboard.records import RowKey, per_seed
from leaderboard.stats import mean_ci, paired_gaps


@dataclass(frozen=True)
class Cell:
    mean: float
    half_width: float  # of the 95% t-interval; NaN when n < 2
    n: int  # seeds with a non-NaN value


def row_cells(done: pd.DataFrame, columns: list[Column],
              retrain: pd.DataFrame) -> dict[RowKey, dict[str, Cell]]:
    """Every row's cells, keyed by row key, for a table's non-failed records; ``retrain`` is
    the reference row's non-failed records (empty without one)."""
    grouped = done.groupby("row_key", sort=False)
    base = [c.metric for c in columns if not is_gap(c.metric) and c.metric != COMPOSITE]
    cells = grouped[base].agg(lambda s: Cell(*mean_ci(s))) if base else None
    families = components(columns)
    out: dict[RowKey, dict[str, Cell]] = {}
    for key, mine in grouped:
        row = dict(cells.loc[[key]].iloc[0]) if cells is not None else {}
        for col in columns:
            if is_gap(col.metric):
                metric = col.metric[len(GAP_PREFIX):]
                gaps = paired_gaps(per_seed(mine, metric), per_seed(retrain, metric))
                row[col.metric] = _cell(gaps)
        row[COMPOSITE] = _cell(score_per_seed(mine, retrain, families))
        out[key] = row
    return out


def empty_cells(columns: list[Column]) -> dict[str, Cell]:
    """The cells of a row with no non-failed record: nothing measured."""
    return {c.metric: _cell(pd.Series(dtype=float)) for c in columns}


def _cell(values: pd.Series) -> Cell:
    return Cell(*mean_ci(values))
