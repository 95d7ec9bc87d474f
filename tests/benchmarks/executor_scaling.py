"""Throughput of the ``local`` and ``ray`` executors with 2 workers vs 1, and the harness overhead.

    python tests/benchmarks/executor_scaling.py [--executors local,local-warm,ray] [--size demo|smoke]
                                                [--methods a,b,...] [--seeds 0] [--json OUT] [--cache DIR]

Runs one grid of the embedded emoji task (8 cells a seed: 7 methods and the ``original`` row; at
``demo`` size, the default, with the demo's attacks, as `make demo` runs them; at ``smoke`` size
without attacks, where the harness's own costs dominate). Each group's original and reference
are trained once, untimed, into a shared cache first (``--cache``: one that may hold them already,
e.g. the demo run's); then the same grid runs into fresh stores
with 1 and 2 workers of each executor (``local-warm``: local with warm workers), and the script
prints cells per minute, the speedup, and each run's shares of worker time: the harness's
(process starts, model loads, what crosses the process boundary; the ≤ 5% target) and idle
(slots with no ready job: the grid's tail, cells waiting for their group's models). Ray is started once, before the
timed runs, with a CPU per worker. A script, not a test: timings on a shared machine are noisy;
compare runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.executors import make_executor
from bench.runner import Runner
from bench.splits import ForgetSpec
from bench.store import Store
from bench.suite import Suite, expand, load_suite
from tasks.emoji_retrieval import EmojiRetrieval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executors", default="local,local-warm,ray", help="comma-separated: local, local-warm, ray")
    parser.add_argument("--size", default="demo", choices=["demo", "smoke"])
    parser.add_argument("--json", help="also write the rows here (for BENCHMARKS.md)")
    parser.add_argument("--cache", help="model cache to use (default: a temporary one)")
    parser.add_argument("--methods", default="grad_ascent,finetune,neggrad_plus,random_label,l1_sparse,scrub,salun")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, help="torch threads shared by the workers (default: all cores)")
    args = parser.parse_args()
    demo = args.size == "demo"
    suite = Suite(name="executor_scaling", tasks={"emoji_retrieval": {} if demo else dict(EmojiRetrieval.smoke_params)},
                  methods={m: {} for m in args.methods.split(",")}, forget=[ForgetSpec(fraction=0.1 if demo else 0.2)],
                  seeds=[int(s) for s in args.seeds.split(",")],
                  attacks=load_suite("quick").attacks if demo else {}, budget_s=600)
    cells = expand(suite)
    names = args.executors.split(",")
    cores = args.threads or os.cpu_count() or 1
    if "ray" in names:
        import ray

        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(args.cache) if args.cache else Path(tmp) / "cache"
        groups = {cell.group_key(): cell for cell in cells}  # one cell of each group
        Runner(Store(Path(tmp) / "warmup"), cache).run(list(groups.values()))  # trains their models once
        for name in names:
            for workers in (1, 2):
                if name == "ray":  # each job asks for its share of the cores: its torch threads
                    executor = make_executor("ray", workers=workers, threads=max(1, cores // workers))
                else:
                    executor = make_executor("local", workers=workers, threads=args.threads, warm=name == "local-warm")
                started = time.perf_counter()
                summary = Runner(Store(Path(tmp) / f"{name}{workers}"), cache, executor).run(cells)
                wall = time.perf_counter() - started
                rows.append((name, workers, summary.ok + summary.flagged + summary.failed, wall,
                             summary.harness_share, summary.idle_share))
    print(f"\n{'executor':>10} {'workers':>7} {'cells':>5} {'wall (s)':>9} {'cells/min':>9} {'harness':>8} {'idle':>6}")
    for name, workers, n, wall, share, idle in rows:
        print(f"{name:>10} {workers:>7} {n:>5} {wall:>9.1f} {60 * n / wall:>9.2f} {share:>8.1%} {idle:>6.1%}")
    for name in names:
        one, two = (wall for n, _, _, wall, _, _ in rows if n == name)
        print(f"{name}: 2 workers vs 1: {one / two:.2f}x throughput")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"size": args.size, "cores": cores, "methods": args.methods.split(","),
             "rows": [dict(zip(("executor", "workers", "cells", "wall_s", "harness_share", "idle_share"), row))
                      for row in rows]},
            indent=1) + "\n")


if __name__ == "__main__":
    main()
