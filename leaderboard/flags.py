"""Sanity flags: the checks a reader wants before trusting a row.

- ``no memorization`` (original): its forget score is not above its test score outside the
  95% interval of the per-seed differences (forget − test, paired by seed; with one seed, not
  above at all), so there may be nothing to forget and every method trivially "succeeds".
- ``forget far from test`` (retrain): retrain never saw D_f, so D_f should look like test data
  to it. Flagged when the per-seed differences' interval excludes 0 *and* their mean is more
  than 10% of the metric's scale (10 points of recall in percent, 0.1 of an accuracy
  fraction): the splits then differ in difficulty, which the forget score mixes in. A
  significant gap of a point or two is common with many seeds and harmless, hence the floor.
  Not checked under ``class`` forgetting: a model that never saw the class is meant to do worse
  on it than on test data of every class.
- ``no-op`` (any other method): the mean of ``delta.l2`` is below 1e-6 AND on every forget.*
  metric the method is indistinguishable from the original on the same seeds: the mean of the
  paired differences is within 1e-9 of 0, or within its 95% t half width (the interval holds
  0). Both are needed: a tiny parameter change can still move the outputs, and equal forget
  scores alone can be a real method landing where the original was.
- ``collapsed`` (all but the original): mean test utility (test.r_mean, else test.acc) over the
  seeds shared with the original is below half of the original's mean on those seeds. A
  collapsed row is ranked after every healthy one (``ranks``), whatever its score.
- One flag per harness flag in ``Record.flags`` (``early stop``, ``attack failed``,
  ``non-finite metrics``, ...): ``<flag> (k/n seeds)``; a ``flagged`` record with no flag
  listed counts as ``flagged (k/n seeds)``, and failed records as ``failed (k/n seeds)``
  (n counts every record of the row; each failure's reason is in the notes).

The score pair is retrieval's ``r_mean`` when the table reports ``test.r_mean``, else a
classification task's ``acc``. Recall is in percent; accuracy is taken to be a fraction in
[0, 1], as ``mia.loss_acc`` and scikit-learn report it.
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from bench.record import FAILED, FLAGGED
from leaderboard.formatting import precision_kind
from leaderboard.records import per_seed
from leaderboard.stats import mean_ci, paired_gaps

ORIGINAL, RETRAIN_METHOD = "original", "retrain"
SCORES = ("r_mean", "acc")  # the task metric, in order of preference
FAR_FROM_TEST = 0.10  # of the metric's full scale
NO_OP_DELTA = 1e-6  # mean relative parameter distance ||θ'-θ||/||θ||
NO_OP_EXACT = 1e-9
COLLAPSE_FRACTION = 0.5
NO_OP, COLLAPSED = "no-op", "collapsed"
FLAG_RULES = {
    NO_OP: "no-op: mean delta.l2 < 1e-6 and every forget.* metric indistinguishable from the "
             "original's on the same seeds (paired 95% interval holds 0).",
    COLLAPSED: "collapsed: mean test utility below half of the original's on the same seeds.",
}


def task_score(done: pd.DataFrame) -> str | None:
    """``r_mean`` or ``acc``: the first whose test.* any non-failed record of the table has."""
    return next((s for s in SCORES if f"test.{s}" in done and done[f"test.{s}"].notna().any()),
                None)


def sanity_flags(method: str, done: pd.DataFrame, original: pd.DataFrame,
                 score: str | None, forget_kind: str | None = None) -> list[str]:
    """Flags for one row's non-failed records; ``original`` is the original row's, and
    ``forget_kind`` the table's forget spec kind."""
    flags = _reference_flags(method, done, score, forget_kind) if score is not None else []
    if method in (ORIGINAL, RETRAIN_METHOD) or original.empty:
        return flags
    if _is_no_op(done, original):
        flags.append(NO_OP)
    if score is not None and _collapsed(done, original, f"test.{score}"):
        flags.append(COLLAPSED)
    return flags


def harness_flags(records: pd.DataFrame) -> list[str]:
    """``<flag> (k/n seeds)`` per flag the harness recorded on a row's records, and
    ``failed (k/n seeds)`` for its failed ones (their reasons are in the notes)."""
    counts = Counter()
    for status, flags in zip(records["status"], records["flags"]):
        marks = set(flags) | ({FAILED} if status == FAILED else set())
        counts.update(marks or ({FLAGGED} if status == FLAGGED else set()))
    return [f"{flag} ({k}/{len(records)} seeds)" for flag, k in sorted(counts.items())]


def _mean(df: pd.DataFrame, metric: str) -> float:
    return mean_ci(df[metric])[0] if metric in df else math.nan


def _reference_flags(method: str, done: pd.DataFrame, score: str, forget_kind: str | None) -> list[str]:
    if method not in (ORIGINAL, RETRAIN_METHOD) or f"forget.{score}" not in done or f"test.{score}" not in done:
        return []
    gap, half_width, n = mean_ci(paired_gaps(per_seed(done, f"forget.{score}"),
                                             per_seed(done, f"test.{score}")))
    if n == 0:
        return []
    half_width = half_width if math.isfinite(half_width) else 0.0
    if method == ORIGINAL and gap - half_width <= 0:
        return ["no memorization"]
    scale = 100.0 if precision_kind(f"test.{score}") == "percent" else 1.0
    if method == RETRAIN_METHOD and forget_kind != "class" and abs(gap) > max(half_width, FAR_FROM_TEST * scale):
        return ["forget far from test"]
    return []


def _is_no_op(done: pd.DataFrame, original: pd.DataFrame) -> bool:
    if not _mean(done, "delta.l2") < NO_OP_DELTA:  # NaN or absent: no evidence
        return False
    compared = False
    for metric in [m for m in done.columns if str(m).startswith("forget.")]:
        mean, half_width, n = mean_ci(paired_gaps(per_seed(done, metric),
                                                  per_seed(original, metric)))
        if n == 0:
            continue
        compared = True
        if not (abs(mean) <= NO_OP_EXACT or abs(mean) <= half_width):
            return False
    return compared


def _collapsed(done: pd.DataFrame, original: pd.DataFrame, metric: str) -> bool:
    both = pd.concat([per_seed(done, metric), per_seed(original, metric)], axis=1).dropna()
    if both.empty:
        return False
    mine_mean, ref_mean = both.mean()
    return ref_mean > 0 and mine_mean < COLLAPSE_FRACTION * ref_mean
