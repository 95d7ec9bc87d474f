"""Each method's unlearning time as a fraction of retraining's, measured in one run.

    python tests/benchmarks/time_ratio.py [--tasks emoji_retrieval,molecule_retrieval] [--seed 0]
                                          [--json OUT]

Trains the original and the retrained reference of each task with a fresh model cache (so the
reference time is measured here, on this machine, next to the methods' times), then runs every
registered method once at its defaults and prints time / retrain time. Target: every approximate
method at most 0.25x retrain (MultiDelete 0.2x). ``--json`` also writes the rows and the run's
cost summary for BENCHMARKS.md (tests/benchmarks/write_report.py). A script, not a test: timings on shared machines are noisy, so
only ratios measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.registry import METHODS
from bench.runner import Runner
from bench.splits import ForgetSpec
from bench.store import Store
from bench.suite import Suite, expand

TARGETS = {"multidelete": 0.2}  # the paper sells MultiDelete as efficient
TARGET = 0.25  # every other approximate method


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="emoji_retrieval,molecule_retrieval")
    parser.add_argument("--methods", default=",".join(METHODS.names()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the rows and the run summary here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suite = Suite(name="time_ratio", tasks={t: {} for t in args.tasks.split(",")},
                      methods={m: {} for m in args.methods.split(",")}, forget=[ForgetSpec()],
                      seeds=[args.seed], attacks={}, budget_s=3600)
        store = Store(Path(tmp) / "results")
        summary = Runner(store, Path(tmp) / "cache").run(expand(suite))
        records = store.records()
    rows = [{"task": r.task, "method": r.method, "unlearn_s": r.metrics["cost.unlearn_s"],
             "ratio": 1 / r.metrics["cost.speedup"], "target": TARGETS.get(r.method, TARGET)}
            for r in sorted(records, key=lambda r: (r.task, r.metrics.get("cost.unlearn_s", 0)))
            if "cost.unlearn_s" in r.metrics]  # the original row has no cost
    print(f"\n{'task':<20} {'method':<14} {'time (s)':>9} {'x retrain':>10}")
    for row in rows:
        missed = row["method"] != "retrain" and row["ratio"] > row["target"]
        mark = f"  > {row['target']}x target" if missed else ""
        print(f"{row['task']:<20} {row['method']:<14} {row['unlearn_s']:>9.1f} {row['ratio']:>10.3f}{mark}")
    print("\n".join(summary.cost_lines()))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "wall_s": summary.wall_s, "harness_s": summary.harness_s,
                                               "harness_share": summary.harness_share}, indent=1))


if __name__ == "__main__":
    main()
