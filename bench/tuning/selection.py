"""Selection rules: which trial of a study becomes the method's preset.

**default** (reads neither test data nor the retrained reference). For the task metric m
(``r_mean`` for retrieval, ``acc`` for classification) and the tuning seeds s:

    forgetting = mean_s | forget.m(trial, s) − val.m(original, s) |
    utility    = mean over u ∈ {val, retain} of | mean_s u.m(trial) − mean_s u.m(original) |
    distance   = ½ · forgetting + ½ · utility
    feasible: mean_s val.m(trial) ≥ (1 − L) · mean_s val.m(original)
          and mean_s retain.m(trial) ≥ (1 − L) · mean_s retain.m(original),  L = MAX_UTILITY_LOSS

and the feasible trial with the smallest distance is selected (ties: the earlier trial). The
distance weighs forgetting and utility half and half, as the leaderboard's composite does,
with the original model standing in for the retrained one it may not read: its validation
metric for what deleted data should look like, its own utility for the utility to keep.

Why this target: a model that never saw D_f treats it like any held-out data, and the best
estimate of "held-out" the method may use is the *original* model on the validation split,
which it never trained on (``val_loader`` is in every request). The target is fixed before
unlearning, so it cannot be gamed: aiming instead at the *unlearned* model's own held-out
metric rewards collapse, where forget and held-out recall fall together (on emoji_retrieval
gradient ascent at lr 4e-4 reaches forget 10.7 vs test 8.6, both collapsed from 80.6 / 39.0,
while the original's held-out 39.0 picks lr 1e-4, the setting the retrain oracle picks). The
utility limit makes collapse a failure: a trial that loses more than L of the original's
validation or retain utility is never selected, however close its forget metric lands
(the leaderboard's ``collapsed`` flag is below half the original's test utility).

Why L = 0.4 and the utility half (until the presets were retuned on three seeds, L was 0.2 and
the distance was the forgetting term alone): on the embedded tasks the retained pairs are
memorized like the deleted ones (emoji: the original's retain recall 75 vs validation 38), and
every approximate method pays for forgetting with retain recall that retraining keeps. At 0.2
the limit excluded each trial that forgot as much as retraining does; at 0.4 without the
utility half, the rule chose trials that forgot well but lost utility up to the limit. Both
came out no closer to retrain than the defaults on one of the two demo tasks; this rule comes
closer on both (docs/tuning.md: ``tests/benchmarks/selection_limit.py`` on the tuning seeds).

**oracle** (research only; labelled wherever its results appear): the same distance and utility
limit, but the forgetting target is the retrained reference's forget metric on the same seed,
``forget.m(retrain, s)``.
A benchmark user has no retrained model, so oracle-tuned numbers are an upper bound on what
tuning can buy, not a result a method could reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

from bench.errors import UserError
from bench.tuning.evidence import References, Trial

MAX_UTILITY_LOSS = 0.4  # L: at most 40% of the original's validation and retain utility lost
TASK_SCORES = {"r_mean": 100.0, "acc": 1.0}  # the task metric and its full scale
UTILITY_PARTS = ("val", "retain")  # the utility the limit protects


@dataclass(frozen=True)
class Score:
    distance: float  # ½ |forget − target| + ½ utility drift, in the metric's units (NaN: not measurable)
    shortfall: float  # how far past the utility limit, as a share of the original's utility
    scale: float
    reason: str = ""  # why the trial is not feasible, for the preset file and the frontier

    @property
    def feasible(self) -> bool:
        return not self.reason

    @property
    def objective(self) -> float:
        """What Optuna minimizes: the distance when feasible; otherwise more than any feasible
        distance, growing with the shortfall, so the sampler is led back into the limit."""
        if self.feasible:
            return self.distance
        return self.scale * (2.0 + (self.shortfall if math.isfinite(self.shortfall) else 1.0))


@dataclass(frozen=True)
class Rule:
    name: str
    label: str  # how leaderboards and preset files name it
    target: Callable[[References, int, str], float | None]  # (references, seed, metric) -> target

    def score(self, trial: Trial, references: References, limit: float = MAX_UTILITY_LOSS) -> Score:
        """The trial's distance (forgetting and utility) and whether it keeps within ``limit``."""
        seeds = sorted(trial.runs)
        runs = [trial.runs[s] for s in seeds]
        if not seeds or any(r is None for r in runs):
            return Score(math.nan, math.nan, 1.0, "failed on a tuning seed")
        metric = next((m for m in TASK_SCORES if f"forget.{m}" in runs[0]), None)
        if metric is None:
            return Score(math.nan, math.nan, 1.0, "no task metric recorded")
        scale = TASK_SCORES[metric]
        originals = [references.original(s) for s in seeds]
        targets = [self.target(references, s, metric) for s in seeds]
        if any(o is None for o in originals) or any(t is None for t in targets):
            return Score(math.nan, math.nan, scale, "a reference row is missing or failed")
        forgetting = _mean(abs(_get(r, f"forget.{metric}") - t) for r, t in zip(runs, targets))
        utility = {part: (_mean(_get(r, f"{part}.{metric}") for r in runs),
                          _mean(_get(o, f"{part}.{metric}") for o in originals)) for part in UTILITY_PARTS}
        distance = 0.5 * forgetting + 0.5 * _mean(abs(mine - theirs) for mine, theirs in utility.values())
        losses = {part: 1.0 - mine / theirs for part, (mine, theirs) in utility.items()}
        worst = max(losses, key=lambda part: losses[part])
        shortfall = losses[worst] - limit
        if not (math.isfinite(distance) and math.isfinite(shortfall)):
            return Score(distance, shortfall, scale, "a metric is missing (val.* needs the validation attack)")
        if shortfall > 0:
            return Score(distance, shortfall, scale, f"lost {losses[worst]:.0%} of the original's {worst} "
                                                     f"utility (limit {limit:.0%})")
        return Score(distance, shortfall, scale)


def _get(metrics: Mapping[str, float], name: str) -> float:
    value = metrics.get(name)
    return math.nan if value is None else float(value)


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan


def _original_validation(references: References, seed: int, metric: str) -> float | None:
    original = references.original(seed)
    return None if original is None else _get(original, f"val.{metric}")


def _retrain_forget(references: References, seed: int, metric: str) -> float | None:
    retrain = references.retrain(seed)
    return None if retrain is None else _get(retrain, f"forget.{metric}")


RULES = {
    "default": Rule("default", "default (validation, no retrain, no test)", _original_validation),
    "oracle": Rule("oracle", "ORACLE (reads the retrained reference)", _retrain_forget),
}


def get_rule(name: str) -> Rule:
    if name not in RULES:
        raise UserError(f"unknown selection rule {name!r}; use one of {', '.join(RULES)}.")
    return RULES[name]


def select(trials: list[Trial], references: References, rule: Rule,
           limit: float = MAX_UTILITY_LOSS) -> tuple[Trial, Score] | None:
    """The rule's choice among ``trials`` (in trial order), or None when none is feasible;
    ``limit``: the utility limit L (another than the declared one only to study its effect,
    ``tests/benchmarks/selection_limit.py``)."""
    scored = [(trial, rule.score(trial, references, limit)) for trial in trials]
    feasible = [(t, s) for t, s in scored if s.feasible]
    return min(feasible, key=lambda pair: pair[1].distance) if feasible else None
