"""Each method's unlearning time as a fraction of retraining's, measured in one run.

    python tests/benchmarks/time_ratio.py [--tasks emoji_retrieval,molecule_retrieval] [--seed 0]

Trains the original and the retrained reference of each task with a fresh model cache (so the
reference time is measured here, on this machine, next to the methods' times), then runs every
registered method once at its defaults and prints time / retrain time. Target: every approximate
method at most 0.25x retrain. A script, not a test: timings on shared machines are noisy, so
only ratios measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.registry import METHODS
from bench.runner import Runner
from bench.splits import ForgetSpec
from bench.store import Store
from bench.suite import Suite, expand

TARGET = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="emoji_retrieval,molecule_retrieval")
    parser.add_argument("--methods", default=",".join(METHODS.names()))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suite = Suite(name="time_ratio", tasks={t: {} for t in args.tasks.split(",")},
                      methods={m: {} for m in args.methods.split(",")}, forget=[ForgetSpec()],
                      seeds=[args.seed], attacks={}, budget_s=3600)
        store = Store(Path(tmp) / "results")
        Runner(store, Path(tmp) / "cache").run(expand(suite))
        records = store.records()
    print(f"\n{'task':<20} {'method':<14} {'time (s)':>9} {'x retrain':>10}")
    for r in sorted(records, key=lambda r: (r.task, r.metrics.get("cost.unlearn_s", 0))):
        if "cost.unlearn_s" not in r.metrics:  # the original row has no cost
            continue
        ratio = 1 / r.metrics["cost.speedup"]
        mark = "" if r.method == "retrain" or ratio <= TARGET else f"  > {TARGET}x target"
        print(f"{r.task:<20} {r.method:<14} {r.metrics['cost.unlearn_s']:>9.1f} {ratio:>10.3f}{mark}")


if __name__ == "__main__":
    main()
