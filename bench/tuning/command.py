"""``unlearnbench tune``: the same number of Optuna trials for every method of a suite, on tuning
seeds disjoint from the suite's reported seeds, every trial stored in the results store, and a
preset file per task chosen by the selection rule (docs/tuning.md).

Everything the user gives is checked (suite, names, seeds, rule, trial count) before the
results dir is touched; a rerun of the same command resumes its studies.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

DEFAULT_TUNING_SEEDS = "100"


def add_parser(sub) -> None:
    p = sub.add_parser("tune", help="tune every method with the same trial budget; write tuned presets")
    p.add_argument("--suite", required=True, help="built-in suite name (e.g. quick) or a YAML file")
    p.add_argument("--trials", type=int, required=True, help="Optuna trials per (method, task), the same for all")
    p.add_argument("--tuning-seeds", default=DEFAULT_TUNING_SEEDS,
                   help=f"seeds the trials run on, disjoint from the suite's (default {DEFAULT_TUNING_SEEDS})")
    p.add_argument("--rule", default="default", choices=["default", "oracle"],
                   help="selection rule: default (validation only) or oracle (reads the retrained reference)")
    p.add_argument("--tasks", help="comma-separated task names (default: the suite's)")
    p.add_argument("--methods", help="comma-separated method names (default: the suite's)")
    p.add_argument("--results", default="results", help="results dir (default: results)")
    p.add_argument("--cache", help="model/feature cache dir (default: RESULTS/cache)")
    p.add_argument("--presets-out", help="where to write <task>.yaml presets (default: RESULTS/presets)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")


def reproduce(args: argparse.Namespace, tuning_seeds: list[int]) -> str:
    """The command that reproduces the trials (recorded in the preset files)."""
    words = ["unlearnbench", "tune", "--suite", args.suite, "--trials", str(args.trials),
             "--tuning-seeds", ",".join(map(str, tuning_seeds)), "--rule", args.rule]
    for option in ("tasks", "methods"):
        if getattr(args, option):
            words += [f"--{option}", getattr(args, option)]
    return shlex.join(words)


def cmd_tune(args: argparse.Namespace) -> int:
    from bench import cli  # imported here: cli imports this module to add the subcommand
    from bench.errors import UserError
    from bench.executors import make_executor
    from bench.manifest import code_commit, package_versions
    from bench.runner import Runner
    from bench.store import Store
    from bench.suite import expand, load_suite, parse_seeds, select
    from bench.tuning.marks import MarkingStore
    from bench.tuning.evidence import TUNING
    from bench.results_file import write_records
    from bench.tuning.presets import TRIALS_DIR, preset_file, write_preset_file
    from bench.tuning.selection import get_rule
    from bench.tuning.tuner import Tuner, check_seeds, tunable

    cli.prepare_torch(args.device, args.threads)
    if args.trials < 1:
        raise UserError(f"--trials must be at least 1, got {args.trials}.")
    suite = load_suite(args.suite)
    tuning_seeds = parse_seeds(args.tuning_seeds)
    check_seeds(tuning_seeds, suite.seeds)
    rule = get_rule(args.rule)
    tasks = list(select(suite.tasks, cli._csv(args.tasks)))
    methods = list(select(suite.methods, cli._csv(args.methods)))
    expand(suite, tasks, methods, tuning_seeds, device=args.device)  # every name and param checked
    if not tunable(methods):
        raise UserError(f"none of {', '.join(methods)} declares a search space; nothing to tune.")
    results = Path(args.results)
    if results.exists() and not results.is_dir():
        raise UserError(f"--results {results} exists and is not a directory; choose another path.")
    store = MarkingStore(Store(results), TUNING, {})
    runner = Runner(store, Path(args.cache) if args.cache else results / "cache",
                    make_executor("inline", device=args.device, threads=args.threads))
    tuner = Tuner(suite, store, runner, results, rule, args.trials, tuning_seeds, args.device)
    print(f"tuning {', '.join(tunable(methods))} on {', '.join(tasks)}: {args.trials} trials each, "
          f"tuning seeds {tuning_seeds}, rule {rule.label} -> {store.path}")
    summary = tuner.run(tasks, methods)
    out = Path(args.presets_out) if args.presets_out else results / "presets"
    version = {"commit": code_commit(), "unlearnbench": package_versions().get("unlearnbench", "unknown")}
    command = reproduce(args, tuning_seeds)
    records = store.records()
    for task in tasks:
        probes = [tuner.cells(task, forget, m, {})[0] for forget in tuner.suite.forget for m in tunable(methods)]
        path = out / f"{task}.yaml"
        write_preset_file(path, preset_file(records, probes, rule, tuning_seeds, suite.budget_s, version, command))
        trials = write_records([r for r in records if r.cell["task"] == task], out / TRIALS_DIR / f"{task}.json.gz")
        print(f"wrote {path} and its {trials} trial and reference records in {out / TRIALS_DIR}")
    store.close()
    for study in summary.studies:
        print(f"  {study.task:<20} {study.method:<14} {study.trials} trials, {study.wall_s:.0f} s this session")
    for line in summary.failures:
        print(f"  failed: {line}")
    return 0
