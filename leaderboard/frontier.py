"""The forgetting-utility frontier of a tuning run: every trial of every method as a point
(forgetting = |forget score − retrain's| paired per tuning seed, utility = test score), each
method's Pareto front over its healthy trials, one summary per method with its 95% interval,
and the tuning cost (trials × time) per method.

Read from ``frame(results, trials=True)``: tuning records (``manifest["tuning"]``, written by
``unlearnbench tune``) give the trials and their seeds' reference rows; the main records of the
same configuration give each method's reported rows (mean ± CI over the reported seeds), so the
selected preset is drawn where the benchmark measured it. Collapse is failure: a trial whose
mean test score is below half of the original's on its seeds (the ``collapsed`` flag's rule) is
drawn but never on a front and never in a summary. The score is the task's: ``r_mean``
(retrieval, percent) or ``acc``.

Summary per method: the best mean test utility among its healthy trials whose forgetting is
within ``TOLERANCE`` of the metric's full scale (5 points of recall in percent) of retrain's,
with its interval over the tuning seeds (none from a single seed).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from leaderboard.flags import COLLAPSE_FRACTION, ORIGINAL, RETRAIN_METHOD, task_score
from leaderboard.formatting import precision_kind
from leaderboard.labels import distinguishing_keys, table_title
from leaderboard.records import decode_key, done, per_seed
from leaderboard.stats import mean_ci, paired_gaps

TUNING = "tuning"  # the manifest key of tuning records (``leaderboard.frame.TUNING``)
PRESET = "preset"  # the manifest key of a record that ran a tuned preset (``bench.tuning.presets``)
TOLERANCE = 0.05  # of the metric's full scale: "retrain-level forgetting"


@dataclass(frozen=True)
class Estimate:
    mean: float
    half_width: float  # NaN with one seed
    n: int


@dataclass
class Point:
    method: str
    params: dict
    label: str  # "trial 3"; for a reported row "tuned preset" or "suite params"
    forgetting: Estimate
    utility: Estimate
    collapsed: bool
    on_front: bool = False


@dataclass
class Summary:
    method: str
    trials: int
    tuning_s: float
    best_within: Estimate | None  # best healthy utility within TOLERANCE of retrain forgetting
    collapsed_trials: int
    rules: tuple[str, ...]  # the selection rules that steered its studies


@dataclass
class Frontier:
    title: str
    score: str  # r_mean | acc
    scale: float
    trials: list[Point] = field(default_factory=list)
    reported: list[Point] = field(default_factory=list)  # main rows of the same configuration
    references: dict[str, Estimate] = field(default_factory=dict)  # original/retrain utility
    summaries: list[Summary] = field(default_factory=list)

    @property
    def tolerance(self) -> float:
        return TOLERANCE * self.scale


def tuning_marks(df: pd.DataFrame) -> pd.Series:
    return df["manifest"].map(lambda m: (m or {}).get(TUNING) or {}) if len(df) else pd.Series(dtype=object)


def build_frontiers(df: pd.DataFrame) -> list[Frontier]:
    """One frontier per configuration that has tuning trials."""
    if df.empty:
        return []
    marks = tuning_marks(df)
    frontiers = []
    for key, records in df.groupby("table_key", sort=True):
        tuning = records[marks[records.index].map(bool)]
        trials = tuning[marks[tuning.index].map(lambda m: m.get("role") == "trial")]
        if trials.empty:
            continue
        frontiers.append(_frontier(key, done(tuning), trials, done(records[~marks[records.index].map(bool)])))
    return frontiers


def _frontier(key, tuning: pd.DataFrame, trials: pd.DataFrame, main: pd.DataFrame) -> Frontier:
    task, task_params, forget = decode_key(key)
    score = task_score(done(trials)) or "r_mean"
    scale = 100.0 if precision_kind(f"test.{score}") == "percent" else 1.0
    frontier = Frontier(table_title(task, task_params, forget, []), score, scale)
    ref_rows = tuning[tuning["method"].isin([ORIGINAL, RETRAIN_METHOD])]
    forget_ref = per_seed(ref_rows[ref_rows["method"] == RETRAIN_METHOD], f"forget.{score}")
    original_test = per_seed(ref_rows[ref_rows["method"] == ORIGINAL], f"test.{score}")
    marks = tuning_marks(trials)
    for method, rows in trials.groupby("method", sort=True):
        points = []
        for _, group in rows.groupby("row_key", sort=False):
            number = min(int(marks[i].get("trial", -1)) for i in group.index)
            points.append(_point(method, group, f"trial {number}", score, forget_ref, original_test))
        keys = distinguishing_keys([p.params for p in points])  # what the trials varied
        for p in points:
            p.params = {k: p.params[k] for k in keys}
        _mark_front(points)
        frontier.trials += points
        frontier.summaries.append(_summary(method, rows, points, frontier.tolerance, marks))
    main_forget_ref = per_seed(main[main["method"] == RETRAIN_METHOD], f"forget.{score}")
    main_original = per_seed(main[main["method"] == ORIGINAL], f"test.{score}")
    for (method, _), group in main[main["method"] != ORIGINAL].groupby(["method", "row_key"], sort=True):
        source = "tuned preset" if any(PRESET in (m or {}) for m in group["manifest"]) else "suite params"
        frontier.reported.append(_point(method, group, source, score, main_forget_ref, main_original))
    for method in (ORIGINAL, RETRAIN_METHOD):
        frontier.references[method] = Estimate(*mean_ci(ref_rows.loc[ref_rows["method"] == method, f"test.{score}"]))
    return frontier


def _point(method: str, group: pd.DataFrame, label: str, score: str, forget_ref: pd.Series,
           original_test: pd.Series) -> Point:
    forgetting = Estimate(*mean_ci(paired_gaps(per_seed(group, f"forget.{score}"), forget_ref).abs()))
    test = per_seed(group, f"test.{score}")
    utility = Estimate(*mean_ci(test))
    both = pd.concat([test, original_test], axis=1).dropna()
    collapsed = (not both.empty and both.iloc[:, 1].mean() > 0
                 and both.iloc[:, 0].mean() < COLLAPSE_FRACTION * both.iloc[:, 1].mean())
    params = json.loads(group["row_key"].iloc[0][1])
    return Point(method, params, label, forgetting, utility, bool(collapsed))


def _mark_front(points: list[Point]) -> None:
    """Pareto front: healthy points no other healthy point beats on both forgetting (lower)
    and utility (higher)."""
    healthy = [p for p in points if not p.collapsed and math.isfinite(p.forgetting.mean)
               and math.isfinite(p.utility.mean)]
    for p in healthy:
        p.on_front = not any(q is not p and q.forgetting.mean <= p.forgetting.mean
                             and q.utility.mean >= p.utility.mean
                             and (q.forgetting.mean, q.utility.mean) != (p.forgetting.mean, p.utility.mean)
                             for q in healthy)


def _summary(method: str, rows: pd.DataFrame, points: list[Point], tolerance: float,
             marks: pd.Series) -> Summary:
    cost = sum(float((m.get("timings") or {}).get("cell_s", 0.0)) for m in rows["manifest"])
    within = [p for p in points if not p.collapsed and p.forgetting.mean <= tolerance]
    best = max(within, key=lambda p: p.utility.mean).utility if within else None
    rules = tuple(sorted({str(marks[i].get("rule")) for i in rows.index}))
    return Summary(method, len(points), cost, best, sum(p.collapsed for p in points), rules)
