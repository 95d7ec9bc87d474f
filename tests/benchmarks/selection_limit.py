"""How the default rule's utility limit decides what tuning buys, judged against retraining.

    python tests/benchmarks/selection_limit.py TUNE_RESULTS_DIR... [--limits 0.2,0.3,0.4,0.5]

For each study of each ``unlearnbench tune`` results dir, the trial the default rule selects at
each limit L, scored against the tuning seeds' own retrained reference (which the rule never
reads), in recall points, mean over the tuning seeds:

    ½ · |forget − forget_retrain| + ¼ · |test − test_retrain| + ¼ · |retain − retain_retrain|

the task-metric part of the leaderboard's composite (half forgetting, half utility). Printed
per dir: the mean over methods for the defaults (each study's trial 0), for each limit's
selection, and for the best trial of each study (what an oracle could pick among the same
trials). A script, not a test: it reads stored trials and measures nothing new.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from statistics import mean

from bench.store import Store
from bench.tuning.evidence import References, Trial, config_of, gather, tuning_mark
from bench.tuning.selection import RULES, TASK_SCORES, select

WEIGHTS = {"forget": 0.5, "test": 0.25, "retain": 0.25}


def against_retrain(trial: Trial, references: References) -> float:
    """The trial's distance to retrain in the metric's points (100 = its full scale), or NaN."""
    per_seed = []
    for seed, metrics in trial.runs.items():
        retrain = references.retrain(seed)
        if metrics is None or retrain is None:
            return math.nan
        metric = next(m for m in TASK_SCORES if f"forget.{m}" in metrics)
        scale = 100.0 / TASK_SCORES[metric]
        per_seed.append(sum(w * abs(metrics[f"{part}.{metric}"] - retrain[f"{part}.{metric}"]) * scale
                            for part, w in WEIGHTS.items()))
    return mean(per_seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--limits", default="0.2,0.3,0.4,0.5")
    args = parser.parse_args()
    limits = [float(x) for x in args.limits.split(",")]
    print(f"{'tuning run':<52} {'defaults':>9} " + " ".join(f"{f'L={x:g}':>7}" for x in limits) + f" {'best':>6}")
    for results in args.dirs:
        records = Store(Path(results), create=False).records()
        tuned = [r for r in records if tuning_mark(r).get("role") == "trial"]
        for config in sorted({config_of(r.cell) for r in tuned}):
            rows = []  # per method: defaults, each limit's choice, best
            for method in sorted({r.method for r in tuned if config_of(r.cell) == config}):
                trials, references = gather(records, config, method)
                scores = [against_retrain(t, references) for t in trials]
                row = [scores[0]]
                for limit in limits:
                    chosen = select(trials, references, RULES["default"], limit)
                    row.append(scores[trials.index(chosen[0])] if chosen else scores[0])  # none feasible: defaults run
                row.append(min(s for s in scores if not math.isnan(s)))
                rows.append(row)
            label = f"{'/'.join(Path(results).parts[-2:])} ({json.loads(config)[0]}, {len(rows)} methods)"
            means = [mean(column) for column in zip(*rows)]
            print(f"{label:<52} {means[0]:>9.2f} " + " ".join(f"{m:>7.2f}" for m in means[1:-1]) + f" {means[-1]:>6.2f}")


if __name__ == "__main__":
    main()
