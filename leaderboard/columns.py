"""Which columns a table has, in what order, under which header and direction.

Columns come from the records: every metric a non-failed record of the table reports becomes
one, read in the direction the records declare (the majority, if they disagree; a note says
so). Every metric judged against retrain (direction ``retrain``) also gets a paired gap column
``gap.<metric>`` when the table has a retrain row reporting it. Metric names that arrive as
``gap.*`` from a record are ignored: gaps are derived here, paired per seed.

The first column is always the composite score (``composite``). Order of the rest:
forgetting (forget.*, auc.*, mia.*, relearn.*, then the gap.* columns), utility (test.*,
retain.*, val.*, retention.*), distance from the original (delta.*), cost (cost.*), then any
other prefix; within a prefix the well-known metrics in the order of ``KNOWN``, then the rest
by name with numbers compared as numbers (r1 < r5 < r10).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from bench.directions import DIRECTIONS, HIGHER, INFO, LOWER, RETRAIN

ARROWS = {HIGHER: "↑", LOWER: "↓", RETRAIN: "≈R", INFO: "·"}  # · reported, never ranked
FORGETTING, UTILITY, DISTANCE, COST, OTHER = "forgetting", "utility", "distance", "cost", "other"
SUMMARY = "summary"
GAP_PREFIX = "gap."
COMPOSITE = "composite"  # the score of ``leaderboard.composite``, the default sort
# Prefix -> group; the dict's order is the display order of the prefixes.
PREFIX_GROUPS = {
    "forget": FORGETTING, "auc": FORGETTING, "mia": FORGETTING, "relearn": FORGETTING,
    "gap": FORGETTING, "test": UTILITY, "retain": UTILITY, "val": UTILITY, "retention": UTILITY,
    "delta": DISTANCE, "cost": COST,
}
_PREFIXES = list(PREFIX_GROUPS)

# Well-known metrics: (short label, direction when no record declares one), in display order.
KNOWN: dict[str, tuple[str, str]] = {
    "forget.r_mean": ("Forget R̄", RETRAIN), "forget.acc": ("Forget acc", RETRAIN),
    "auc.df_vs_dr": ("Df/Dr AUC", RETRAIN),
    "mia.loss_auc": ("MIA AUC", RETRAIN), "mia.loss_acc": ("MIA acc", RETRAIN),
    "test.r_mean": ("Test R̄", HIGHER), "test.acc": ("Test acc", HIGHER),
    "retain.r_mean": ("Retain R̄", HIGHER), "retain.acc": ("Retain acc", HIGHER),
    "val.r_mean": ("Val R̄", HIGHER), "val.acc": ("Val acc", HIGHER),
    "delta.l2": ("‖Δθ‖/‖θ‖", INFO),
    "cost.unlearn_s": ("Time (s)", LOWER), "cost.speedup": ("Speedup", HIGHER),
    "cost.peak_rss_mb": ("Peak RSS (MB)", LOWER),
    # warm workers (run --warm) record the growth of RSS during the unlearning call instead
    "cost.peak_rss_delta_mb": ("RSS growth (MB)", LOWER),
    "cost.peak_gpu_alloc_mb": ("GPU alloc (MB)", LOWER),
    "cost.peak_gpu_reserved_mb": ("GPU reserved (MB)", LOWER),
    "mia.svc_efficacy": ("SVC MIA", RETRAIN), "mia.ulira_tpr@0.01": ("U-LiRA TPR@1%", RETRAIN),
    "relearn.gain": ("Relearn gain", RETRAIN), "retention.joint": ("Joint retention", HIGHER),
}
_KNOWN_ORDER = list(KNOWN)
# The default (``detail=False``) table shows the headline metric of each family, so a table of
# every attack stays readable; ``detail=True`` (the JSON output) shows every metric recorded.
HEADLINE = frozenset({
    "forget.r_mean", "forget.acc", "auc.df_vs_dr", "mia.loss_auc", "mia.svc_efficacy",
    "mia.ulira_tpr@0.01", "relearn.gain", "test.r_mean", "test.acc", "retain.r_mean", "retain.acc",
    "retention.joint", "delta.l2", "cost.unlearn_s", "cost.speedup", "cost.peak_rss_mb",
    "cost.peak_rss_delta_mb", "cost.peak_gpu_alloc_mb", "cost.peak_gpu_reserved_mb",
})
HEADLINE_GAPS = frozenset({"forget.r_mean", "forget.acc"})


@dataclass(frozen=True)
class Column:
    metric: str  # a record's metric name, gap.<metric> derived from it, or "composite"
    header: str  # short label and the direction's arrow
    direction: str  # higher | lower | retrain | info
    group: str  # summary | forgetting | utility | distance | cost | other


COMPOSITE_COLUMN = Column(COMPOSITE, f"Score {ARROWS[LOWER]}", LOWER, SUMMARY)


def gap_metric(metric: str) -> str:
    return GAP_PREFIX + metric


def is_gap(metric: str) -> bool:
    return metric.startswith(GAP_PREFIX)


def build_columns(done: pd.DataFrame, metrics: list[str], retrain_done: pd.DataFrame,
                  detail: bool = False) -> tuple[list[Column], list[str]]:
    """(columns in display order, notes) for a table's non-failed records (frame rows);
    ``metrics`` are the frame's metric columns, ``retrain_done`` the reference row's
    non-failed records, which the gap columns pair against."""
    reported = set().union(*done["reported"])
    present = [m for m in metrics if m in reported and not is_gap(m) and (detail or m in HEADLINE)]
    columns, notes = [COMPOSITE_COLUMN], []
    for metric in present:
        direction, note = _direction(metric, done["directions"])
        notes += [note] if note else []
        columns.append(_column(metric, direction))
        if direction == RETRAIN and (detail or metric in HEADLINE_GAPS) \
                and metric in set().union(*retrain_done["reported"]):
            columns.append(_column(gap_metric(metric), RETRAIN))  # 0 is best
    columns.sort(key=lambda c: display_order(c.metric))
    notes.sort()
    return columns, notes


def display_order(metric: str) -> tuple:
    if metric == COMPOSITE:  # the summary first
        return (-1,)
    if is_gap(metric):  # gaps follow the forgetting metrics, in their metrics' order
        return (_PREFIXES.index("gap"),) + display_order(metric[len(GAP_PREFIX):])
    prefix = metric.split(".", 1)[0]
    return (_PREFIXES.index(prefix) if prefix in PREFIX_GROUPS else len(_PREFIXES),
            _KNOWN_ORDER.index(metric) if metric in KNOWN else len(KNOWN),
            _natural(metric), metric)


def _column(metric: str, direction: str) -> Column:
    if is_gap(metric):
        base = metric[len(GAP_PREFIX):]
        label = "Δ" + KNOWN[base][0] if base in KNOWN else metric
    else:
        label = KNOWN[metric][0] if metric in KNOWN else metric
    group = PREFIX_GROUPS.get(metric.split(".", 1)[0], OTHER)
    return Column(metric, f"{label} {ARROWS[direction]}", direction, group)


def _direction(metric: str, directions: pd.Series) -> tuple[str, str | None]:
    """The direction most of the records declare (``directions``: one dict per record)."""
    declared = Counter(d.get(metric) for d in directions if d.get(metric) in DIRECTIONS)
    if not declared:
        return (KNOWN[metric][1] if metric in KNOWN else HIGHER), None
    # Most votes first; a tie goes to the earlier entry of DIRECTIONS, so the input order of
    # the records never changes the table.
    ranked = sorted(declared.items(), key=lambda kv: (-kv[1], DIRECTIONS.index(kv[0])))
    if len(ranked) == 1:
        return ranked[0][0], None
    votes = ", ".join(f"{d} ×{n}" for d, n in ranked)
    return ranked[0][0], (f"Records disagree on the direction of {metric} ({votes}); "
                          f"{ranked[0][0]} is used.")


def _natural(text: str) -> list:
    """Split into text and numbers so that r5 sorts before r10 (str at even, int at odd
    positions, so two keys always compare like with like)."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", text))]
