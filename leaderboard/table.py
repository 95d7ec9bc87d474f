"""Records -> the table model: one Table per task, rows = methods, columns = metrics.

This is the only place where numbers are computed; renderers (markdown, json, ...) only format
what is here, so every output format shows the same numbers (like HELM's presentation/table.py).

- Each cell is mean ± 95% Student-t half width over the seeds whose record is not failed
  (``ok`` and ``flagged`` records count; ``flagged`` ones also raise a row flag).
- Failed records are counted in ``Row.n_failed`` and their errors listed in the notes, never
  averaged.
- ``gap.forget_r_mean`` is derived here: per seed, the method's forget R̄ minus retrain's forget
  R̄ on the same seed (paired), then mean ± CI of those gaps. Forgetting is judged against the
  retrained reference, not against "as low as possible".
- A column no non-failed record of the task has is dropped; metrics no column names are
  ignored. A column's direction is the one its records declare, else the default below.

The leaderboard reads the store and nothing else, and stays torch-free: it imports only
``bench.directions`` and ``bench.record`` (``bench``'s exports are lazy).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.directions import HIGHER, LOWER, RETRAIN
from bench.record import FAILED, FLAGGED
from leaderboard.stats import mean_ci, paired_gaps

ARROWS = {HIGHER: "↑", LOWER: "↓", RETRAIN: "≈R"}
FORGETTING, UTILITY, COST = "forgetting", "utility", "cost"
ORIGINAL, RETRAIN_METHOD = "original", "retrain"
GAP_METRIC = "gap.forget_r_mean"
FAR_FROM_TEST_POINTS = 10.0  # retrain's forget R̄ should sit near its test R̄ (D_f is unseen)
ERROR_CHARS = 160


@dataclass(frozen=True)
class Column:
    metric: str
    header: str
    direction: str  # higher | lower | retrain
    group: str  # forgetting | utility | cost


@dataclass(frozen=True)
class Cell:
    mean: float
    half_width: float  # of the 95% t-interval; NaN when n < 2
    n: int  # seeds with a non-NaN value


@dataclass
class Row:
    method: str
    cells: dict[str, Cell]
    n_seeds: int
    n_failed: int
    flags: list[str] = field(default_factory=list)


@dataclass
class Table:
    task: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


# (metric, short label, default direction, group); the header adds the direction's arrow.
DEFAULT_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("forget.r_mean", "Forget R̄", RETRAIN, FORGETTING),
    ("auc.df_vs_dr", "Df/Dr AUC", RETRAIN, FORGETTING),
    ("mia.loss_auc", "MIA AUC", RETRAIN, FORGETTING),
    (GAP_METRIC, "ΔForget R̄", RETRAIN, FORGETTING),
    ("test.r_mean", "Test R̄", HIGHER, UTILITY),
    ("retain.r_mean", "Retain R̄", HIGHER, UTILITY),
    ("cost.unlearn_s", "Time (s)", LOWER, COST),
    ("cost.speedup", "Speedup", HIGHER, COST),
    ("cost.peak_rss_mb", "Peak RSS (MB)", LOWER, COST),
    ("cost.peak_gpu_alloc_mb", "GPU alloc (MB)", LOWER, COST),
    ("cost.peak_gpu_reserved_mb", "GPU reserved (MB)", LOWER, COST),
)

NOTES = (
    "Recall@K (R̄ = mean Recall@K, in percent) is measured at equal gallery size (|D_f| items) "
    "on forget, retain and test, so the three splits are comparable.",
    "± is the half width of a two-sided 95% Student-t interval over seeds; a value without ± "
    "comes from a single seed.",
    "↑ higher is better, ↓ lower is better, ≈R closest to the retrained reference (retrain) "
    "is best.",
)
GAP_NOTE = ("ΔForget R̄ is paired per seed: the method's forget R̄ minus retrain's on the same "
            "seed; 0 is best.")


def build_tables(records: Iterable[Any], columns: Sequence[tuple] = DEFAULT_COLUMNS) -> list[Table]:
    """One Table per task, sorted by task name."""
    by_task: dict[str, list[Any]] = defaultdict(list)
    for record in records:
        by_task[str(record.cell["task"])].append(record)
    return [_build_table(task, recs, columns) for task, recs in sorted(by_task.items())]


def _build_table(task: str, records: list[Any], specs: Sequence[tuple]) -> Table:
    by_method: dict[str, list[Any]] = defaultdict(list)
    for record in records:
        by_method[str(record.cell["method"])].append(record)
    done = [r for r in records if r.status != FAILED]
    ref = _per_seed([r for r in done if str(r.cell["method"]) == RETRAIN_METHOD], "forget.r_mean")

    columns = []
    for metric, label, default, group in specs:
        present = bool(ref) if metric == GAP_METRIC else any(metric in r.metrics for r in done)
        if present:
            direction = RETRAIN if metric == GAP_METRIC else _direction(metric, done, default)
            columns.append(Column(metric, f"{label} {ARROWS[direction]}", direction, group))

    rows = [_build_row(m, by_method[m], columns, ref) for m in _method_order(by_method)]
    notes = list(NOTES) + ([GAP_NOTE] if any(c.metric == GAP_METRIC for c in columns) else [])
    notes.append("Measured on: " + "; ".join(sorted({_hardware(r) for r in done})) + ".")
    for r in sorted(records, key=lambda r: (str(r.cell["method"]), repr(r.cell.get("seed")))):
        if r.status in (FAILED, FLAGGED):
            notes.append(f"{r.cell['method']} (seed {r.cell.get('seed')}) {r.status}: "
                         f"{_truncate(r.error)}")
    return Table(task=task, columns=columns, rows=rows, notes=notes)


def _hardware(record: Any) -> str:
    """Where a record's times were measured, from its manifest (times only compare there)."""
    hw = (getattr(record, "manifest", None) or {}).get("hardware", {})
    device = hw.get("gpu") or hw.get("cpu") or "unknown device"
    return f"{device}, {hw.get('torch_threads', '?')} torch threads"


def _build_row(method: str, records: list[Any], columns: list[Column], ref: dict) -> Row:
    done = [r for r in records if r.status != FAILED]
    cells: dict[str, Cell] = {}
    flags: list[str] = []
    for col in columns:
        if col.metric == GAP_METRIC:
            values = list(paired_gaps(_per_seed(done, "forget.r_mean"), ref).values())
        else:
            values = [_value(r, col.metric) for r in done if col.metric in r.metrics]
        cell = cells[col.metric] = Cell(*mean_ci(values))
        if values and not math.isfinite(cell.mean):
            flags.append(f"NaN metric: {col.metric}")
        elif cell.n < len(values):
            flags.append(f"NaN in {col.metric} ({len(values) - cell.n}/{len(values)} seeds)")
    flags += _sanity_flags(method, done)
    seeds = [r.cell.get("seed") for r in done]
    if len(set(seeds)) < len(seeds):
        flags.append("duplicate seeds")
    n_flagged = sum(r.status == FLAGGED for r in done)
    if n_flagged:
        flags.append(f"{n_flagged}/{len(done)} runs flagged")
    return Row(method=method, cells=cells, n_seeds=len(set(seeds)),
               n_failed=len(records) - len(done), flags=flags)


def _sanity_flags(method: str, done: list[Any]) -> list[str]:
    """Checks a reader wants before trusting the table."""
    forget = _mean(done, "forget.r_mean")
    test = _mean(done, "test.r_mean")
    if not (math.isfinite(forget) and math.isfinite(test)):
        return []
    # The original must recall its training pairs better than unseen ones, or there is
    # nothing to forget and every method trivially "succeeds".
    if method == ORIGINAL and forget <= test:
        return ["no memorization"]
    # Retrain never saw D_f, so D_f should look like test data to it; if not, the splits differ
    # in difficulty and forget R̄ mixes forgetting with that difference.
    if method == RETRAIN_METHOD and abs(forget - test) > FAR_FROM_TEST_POINTS:
        return ["forget far from test"]
    return []


def _method_order(methods: Iterable[str]) -> list[str]:
    fixed = [m for m in (ORIGINAL, RETRAIN_METHOD) if m in methods]
    rest = sorted((m for m in methods if m not in fixed), key=lambda m: (m.lower(), m))
    return fixed + rest


def _direction(metric: str, done: list[Any], default: str) -> str:
    declared = Counter(r.directions.get(metric) for r in done if r.directions.get(metric) in ARROWS)
    return declared.most_common(1)[0][0] if declared else default


def _per_seed(records: list[Any], metric: str) -> dict[Any, float]:
    return {r.cell.get("seed"): _value(r, metric) for r in records if metric in r.metrics}


def _mean(records: list[Any], metric: str) -> float:
    return mean_ci(_value(r, metric) for r in records if metric in r.metrics)[0]


def _value(record: Any, metric: str) -> float:
    value = record.metrics[metric]
    return math.nan if value is None else float(value)


def _truncate(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text or "")).strip() or "(no error text)"
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
