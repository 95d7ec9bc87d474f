"""Throughput of the ``local`` executor with 2 workers vs 1, and the harness overhead share.

    python tests/benchmarks/executor_scaling.py [--methods grad_ascent,finetune,...] [--seeds 0]

Runs one small grid of the embedded emoji task at its smoke size (the original and the
reference are trained once, untimed, into a shared cache first), then the same grid into fresh
stores with ``--workers 1`` and ``--workers 2``, and prints cells per minute, the speedup, and
each run's harness share of worker time (process starts, data and model loads, idle workers).
A script, not a test: timings on a shared machine are noisy; compare runs made side by side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.executors import make_executor
from bench.runner import Runner
from bench.splits import ForgetSpec
from bench.store import Store
from bench.suite import Suite, expand
from tasks.emoji_retrieval import EmojiRetrieval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="grad_ascent,finetune,neggrad_plus,random_label,l1_sparse,scrub,salun")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, help="torch threads shared by the workers (default: all cores)")
    args = parser.parse_args()
    suite = Suite(name="executor_scaling", tasks={"emoji_retrieval": dict(EmojiRetrieval.smoke_params)},
                  methods={m: {} for m in args.methods.split(",")}, forget=[ForgetSpec(fraction=0.2)],
                  seeds=[int(s) for s in args.seeds.split(",")], attacks={}, budget_s=600)
    cells = expand(suite)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        Runner(Store(Path(tmp) / "warmup"), cache).run(cells[:1])  # trains the group models once
        rows = []
        for workers in (1, 2):
            executor = make_executor("local", workers=workers, threads=args.threads)
            started = time.perf_counter()
            summary = Runner(Store(Path(tmp) / f"w{workers}"), cache, executor).run(cells)
            wall = time.perf_counter() - started
            rows.append((workers, summary.ok + summary.flagged + summary.failed, wall, summary.harness_share))
    print(f"\n{'workers':>7} {'cells':>5} {'wall (s)':>9} {'cells/min':>9} {'harness':>8}")
    for workers, n, wall, share in rows:
        print(f"{workers:>7} {n:>5} {wall:>9.1f} {60 * n / wall:>9.2f} {share:>8.1%}")
    print(f"2 workers vs 1: {rows[0][2] / rows[1][2]:.2f}x throughput")


if __name__ == "__main__":
    main()
