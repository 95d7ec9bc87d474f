"""Sanity flags: the checks a reader wants before trusting a row.

- ``no memorization`` (original): its forget score is not above its test score, so there is
  nothing to forget and every method trivially "succeeds".
- ``forget far from test`` (retrain): retrain never saw D_f, so D_f should look like test data
  to it; a gap of more than 10% of the metric's scale (10 points of recall in percent, 0.1 of
  an accuracy fraction) says the splits differ in difficulty, which the forget score mixes in.
- ``no-op`` (any other method): the mean of ``delta.l2`` is below 1e-6 AND on every forget.*
  metric the method is indistinguishable from the original on the same seeds: the mean of the
  paired differences is within 1e-9 of 0, or within its 95% t half width (the interval holds
  0). Both are needed: a tiny parameter change can still move the outputs, and equal forget
  scores alone can be a real method landing where the original was.
- ``collapsed`` (all but the original): mean test utility (test.r_mean, else test.acc) over the
  seeds shared with the original is below half of the original's mean on those seeds.
- One flag per harness flag in ``Record.flags`` (``early stop``, ``attack failed``,
  ``non-finite metrics``, ...): ``<flag> (k/n seeds)``; a ``flagged`` record with no flag
  listed counts as ``flagged (k/n seeds)``.

The score pair is retrieval's ``r_mean`` when the table reports ``test.r_mean``, else a
classification task's ``acc``. Recall is in percent; accuracy is taken to be a fraction in
[0, 1], as ``mia.loss_acc`` and scikit-learn report it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from bench.record import FLAGGED
from leaderboard.formatting import precision_kind
from leaderboard.records import per_seed, values
from leaderboard.stats import mean_ci, paired_gaps

ORIGINAL, RETRAIN_METHOD = "original", "retrain"
SCORES = ("r_mean", "acc")  # the task metric, in order of preference
FAR_FROM_TEST = 0.10  # of the metric's full scale
NO_OP_DELTA = 1e-6  # mean relative parameter distance ||θ'-θ||/||θ||
NO_OP_EXACT = 1e-9
COLLAPSE_FRACTION = 0.5
FLAG_RULES = {
    "no-op": "no-op: mean delta.l2 < 1e-6 and every forget.* metric indistinguishable from the "
             "original's on the same seeds (paired 95% interval holds 0).",
    "collapsed": "collapsed: mean test utility below half of the original's on the same seeds.",
}


def task_score(done: list[Any]) -> str | None:
    """``r_mean`` or ``acc``: the first whose test.* any non-failed record of the table has."""
    return next((s for s in SCORES if any(f"test.{s}" in r.metrics for r in done)), None)


def sanity_flags(method: str, done: list[Any], original: list[Any], score: str | None) -> list[str]:
    """Flags for one row's non-failed records; ``original`` is the original row's."""
    flags = _reference_flags(method, done, score) if score is not None else []
    if method in (ORIGINAL, RETRAIN_METHOD) or not original:
        return flags
    if _is_no_op(done, original):
        flags.append("no-op")
    if score is not None and _collapsed(done, original, f"test.{score}"):
        flags.append("collapsed")
    return flags


def harness_flags(done: list[Any]) -> list[str]:
    """``<flag> (k/n seeds)`` per flag the harness recorded on the row's non-failed records."""
    counts = Counter()
    for record in done:
        flags = set(record.flags) or ({"flagged"} if record.status == FLAGGED else set())
        counts.update(flags)
    return [f"{flag} ({k}/{len(done)} seeds)" for flag, k in sorted(counts.items())]


def _reference_flags(method: str, done: list[Any], score: str) -> list[str]:
    forget = mean_ci(values(done, f"forget.{score}"))[0]
    test = mean_ci(values(done, f"test.{score}"))[0]
    if not (math.isfinite(forget) and math.isfinite(test)):
        return []
    if method == ORIGINAL and forget <= test:
        return ["no memorization"]
    scale = 100.0 if precision_kind(f"test.{score}") == "percent" else 1.0
    if method == RETRAIN_METHOD and abs(forget - test) > FAR_FROM_TEST * scale:
        return ["forget far from test"]
    return []


def _is_no_op(done: list[Any], original: list[Any]) -> bool:
    if not mean_ci(values(done, "delta.l2"))[0] < NO_OP_DELTA:  # NaN or absent: no evidence
        return False
    compared = False
    for metric in sorted({m for r in done for m in r.metrics if m.startswith("forget.")}):
        mean, half_width, n = mean_ci(paired_gaps(per_seed(done, metric),
                                                  per_seed(original, metric)).values())
        if n == 0:
            continue
        compared = True
        if not (abs(mean) <= NO_OP_EXACT or abs(mean) <= half_width):
            return False
    return compared


def _collapsed(done: list[Any], original: list[Any], metric: str) -> bool:
    mine, ref = per_seed(done, metric), per_seed(original, metric)
    seeds = [s for s in mine.keys() & ref.keys()
             if math.isfinite(mine[s]) and math.isfinite(ref[s])]
    if not seeds:
        return False
    mine_mean = sum(mine[s] for s in seeds) / len(seeds)
    ref_mean = sum(ref[s] for s in seeds) / len(seeds)
    return ref_mean > 0 and mine_mean < COLLAPSE_FRACTION * ref_mean
