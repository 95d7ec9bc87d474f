"""The ``unlearnbench`` command: list, run, leaderboard.

Bad input never gets a traceback: one line saying what is wrong and how to fix it, exit code 2,
and nothing written (everything is validated before the results dir is touched).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.errors import UserError  # importing bench sets OMP_WAIT_POLICY before torch loads

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise UserError(f"{message} (see `{self.prog} --help`)")


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise UserError(f"empty list {value!r}; give comma-separated names, e.g. --methods retrain,finetune.")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="unlearnbench", description="Benchmark harness for machine unlearning.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_list = sub.add_parser("list", help="list registered methods, tasks or attacks")
    p_list.add_argument("what", choices=["methods", "tasks", "attacks", "suites"])

    p_run = sub.add_parser("run", help="run a suite into a results dir (completed cells are skipped)")
    p_run.add_argument("--suite", required=True, help="built-in suite name (e.g. quick) or a YAML file")
    p_run.add_argument("--tasks", help="comma-separated task names (default: the suite's)")
    p_run.add_argument("--methods", help="comma-separated method names (default: the suite's)")
    p_run.add_argument("--seeds", help="comma-separated seeds, e.g. 0,1,2 (default: the suite's)")
    p_run.add_argument("--results", default="results", help="results dir (default: results)")
    p_run.add_argument("--cache", help="model/feature cache dir (default: RESULTS/cache)")
    p_run.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p_run.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")

    p_lb = sub.add_parser("leaderboard", help="render the leaderboard from a results dir")
    p_lb.add_argument("--results", default="results")
    p_lb.add_argument("--format", default="md", choices=["md", "json"])
    p_lb.add_argument("--out", help="output file (default: print to stdout)")
    return parser


def cmd_list(args) -> int:
    if args.what == "suites":
        from bench.suite import builtin_suites

        print("\n".join(builtin_suites()))
        return 0
    from bench.registry import ATTACKS, METHODS, TASKS

    registry = {"methods": METHODS, "tasks": TASKS, "attacks": ATTACKS}[args.what]
    print("\n".join(registry.names()))
    return 0


def cmd_run(args) -> int:
    import torch

    from bench.runner import Runner
    from bench.store import Store
    from bench.suite import expand, load_suite, parse_seeds

    if args.device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda, but torch sees no CUDA device; use --device cpu.")
    if args.threads is not None:
        if args.threads < 1:
            raise UserError(f"--threads must be at least 1, got {args.threads}.")
        torch.set_num_threads(args.threads)  # recorded in every record's manifest
    suite = load_suite(args.suite)
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    cells = expand(suite, _csv(args.tasks), _csv(args.methods), seeds, device=args.device)
    results = Path(args.results)
    if results.exists() and not results.is_dir():
        raise UserError(f"--results {results} exists and is not a directory; choose another path.")
    store = Store(results)
    runner = Runner(store, Path(args.cache) if args.cache else results / "cache")
    print(f"suite {suite.name}: {len(cells)} cells (+ one `original` reference row per task, seed "
          f"and forget spec) "
          f"-> {store.path}")
    summary = runner.run(cells)
    store.close()
    print(f"done: {summary.ok} ok, {summary.failed} failed, {summary.flagged} flagged, "
          f"{summary.skipped} already complete.")
    for line in summary.failures:
        print(f"  failed: {line}")
    return 0 if summary.failed == 0 else 1


def cmd_leaderboard(args) -> int:
    from bench.store import Store
    from leaderboard import RENDERERS, build_tables

    store = Store(args.results, create=False)
    # JSON carries every recorded metric; the markdown table shows each family's headline.
    text = RENDERERS[args.format](build_tables(store.records(), detail=args.format == "json"))
    store.close()
    if args.out is None:
        print(text)
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n")
    tmp.replace(out)  # never a half-written leaderboard
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return {"list": cmd_list, "run": cmd_run, "leaderboard": cmd_leaderboard}[args.command](args)
    except UserError as exc:
        print(f"unlearnbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("unlearnbench: interrupted; completed cells are stored and will be skipped on rerun.",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
