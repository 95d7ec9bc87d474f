"""The ``unlearnbench`` command: list, run, leaderboard, compare, and the commands for submitting a
method (new-method, check-method, export, import: ``bench.cli_submit``).

Bad input never gets a traceback: one line saying what is wrong and how to fix it, exit code 2,
and nothing written (everything is validated before the results dir is touched).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from bench import cli_submit, executors
from bench.tuning import command as tune_command
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
    p_run.add_argument("--data-dir", help="where tasks that read your disk (flickr30k, coco, snli_ve, nlvr2, chebi20) "
                                          "find their data and backbones (default: the suite's data_dir; "
                                          "docs/real_data.md)")
    p_run.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p_run.add_argument("--precision", help="fp32 or bf16: bf16 runs training, unlearning and evaluation under "
                                           "bf16 autocast; part of the cell id (default: the suite's precision:, "
                                           "else fp32)")
    p_run.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    p_run.add_argument("--method-file", action="append", default=[], metavar="PATH",
                       help="a .py file registering method(s) to run; repeatable "
                            "(without --methods, runs only the file's methods)")
    executors.add_arguments(p_run)  # --executor, --workers, --max-memory-gb, --ray-address, --slurm-option
    p_run.add_argument("--dry-run", action="store_true",
                       help="print the grid, what is done and what would run; write nothing")
    p_run.add_argument("--summary", metavar="PATH",
                       help="also write the run summary (cells, models trained and loaded, wall, training, "
                            "cells and harness seconds) as JSON here")
    p_run.add_argument("--preset", default="tuned", choices=["tuned", "defaults"],
                       help="tuned: a method the suite gives no parameters runs its shipped tuned preset "
                            "(bench/presets, docs/tuning.md); defaults: its constructor defaults")

    p_lb = sub.add_parser("leaderboard", help="render the leaderboard from a results dir")
    p_lb.add_argument("--results", default="results")
    p_lb.add_argument("--format", default="md", choices=["md", "csv", "json", "latex", "html", "frontier"],
                      help="frontier: every tuning trial as forgetting vs utility, with each method's "
                           "Pareto front and tuning cost (markdown; the html site has its picture)")
    p_lb.add_argument("--out", help="output file (default: print to stdout); for html the site "
                                    "directory (default: RESULTS/site)")

    p_cmp = sub.add_parser("compare", help="two results dirs or JSON leaderboards side by side")
    p_cmp.add_argument("a", help="results dir or JSON leaderboard (A)")
    p_cmp.add_argument("b", help="results dir or JSON leaderboard (B)")
    cli_submit.add_parsers(sub)
    tune_command.add_parser(sub)
    return parser


def cmd_list(args) -> int:
    if args.what == "suites":
        from bench.suite import builtin_suites

        print("\n".join(builtin_suites()))
        return 0
    from bench.catalog import entries, render
    from bench.registry import ATTACKS, METHODS, TASKS

    registry = {"methods": METHODS, "tasks": TASKS, "attacks": ATTACKS}[args.what]
    print(render(entries(registry)))  # name, built-in or plugin, one-line summary
    return 0


def prepare_torch(device: str, threads: int | None) -> None:
    """Refuse a device torch cannot see; set the CPU threads (recorded in every manifest)."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda, but torch sees no CUDA device; use --device cpu.")
    if threads is not None:
        if threads < 1:
            raise UserError(f"--threads must be at least 1, got {threads}.")
        torch.set_num_threads(threads)


def cmd_run(args) -> int:
    from bench.method_file import load_method_file
    from bench.spec import parse_precision
    from bench.runner import Runner
    from bench.store import FILENAME, Store
    from bench.suite import expand, load_suite, parse_data_dir, parse_seeds
    from bench.tuning.marks import MarkingStore
    from bench.tuning.presets import PRESET, Presets, preset_marks, shipped_presets

    prepare_torch(args.device, args.threads)
    suite = load_suite(args.suite)
    if args.data_dir is not None:
        suite = replace(suite, data_dir=parse_data_dir(args.data_dir, "--data-dir"))
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    files = {name: str(Path(path).resolve()) for path in args.method_file for name in load_method_file(path)}
    methods = _csv(args.methods)
    if methods is None and files:  # a method file without --methods runs the file's methods
        methods = sorted(files)
    presets = shipped_presets() if args.preset == "tuned" else Presets([])
    cells = [replace(cell, method_file=files.get(cell.method))  # the file travels with its cells
             for cell in expand(suite, _csv(args.tasks), methods, seeds, device=args.device,
                                precision=args.precision and parse_precision(args.precision, "--precision"),
                                presets=presets)]
    marks = preset_marks(cells, presets)  # which cells run a tuned preset (refused on its tuning seeds)
    results = Path(args.results)
    if results.exists() and not results.is_dir():
        raise UserError(f"--results {results} exists and is not a directory; choose another path.")
    if args.dry_run:
        stored = (results / FILENAME).exists()
        return _dry_run(cells, Store(results, create=False) if stored else None)
    executor = executors.from_args(args, results)
    store = MarkingStore(Store(results), PRESET, marks)
    runner = Runner(store, Path(args.cache) if args.cache else results / "cache", executor)
    print(f"suite {suite.name}: {len(cells)} cells (+ one `original` reference row per task, seed "
          f"and forget spec) -> {store.path}, executor {executor.name} ({executor.workers} "
          f"worker{'s' if executor.workers > 1 else ''})")
    summary = runner.run(cells)
    store.close()
    print(f"done: {summary.ok} ok, {summary.failed} failed, {summary.flagged} flagged, "
          f"{summary.skipped} already complete.")
    for line in summary.failures:
        print(f"  failed: {line}")
    for line in summary.cost_lines():
        print(line)
    if args.summary:
        try:
            _write_atomic(Path(args.summary), json.dumps(summary.to_dict(), indent=1) + "\n")
        except OSError as exc:
            raise UserError(f"cannot write --summary {args.summary}: {exc.strerror or exc}; "
                            f"the results are stored, choose another path.") from None
    return 0 if summary.failed == 0 else 1


def _dry_run(cells, store) -> int:
    """The grid group by group: each cell's state (done, failed before, new) and what would run."""
    from bench.runner import is_done, plan

    groups = plan(cells, store)
    todo = 0
    for group in groups:
        head = group[0][0]
        print(f"{head.task} seed {head.seed}, forget {head.forget.label()}, {head.device}:")
        for cell, record in group:
            state = "done" if is_done(record) else "new, will run" if record is None else \
                f"failed before, will run again ({record.error})"
            todo += not is_done(record)
            print(f"  {cell.method:<16} {cell.cell_id}  {state}")
    total = sum(map(len, groups))
    print(f"{total} cells in {len(groups)} groups: {total - todo} done, {todo} to run (dry run: nothing written)")
    return 0


def cmd_leaderboard(args) -> int:
    from leaderboard import RENDERERS, build_tables, frame, write_site
    from leaderboard.frontier import build_frontiers
    from leaderboard.frontier_text import render_frontier
    from leaderboard.site import provenance

    df = frame(args.results)  # without tuning trials: they are on the frontier
    # JSON and CSV carry every recorded metric; md, latex and html show each family's headline.
    tables = build_tables(df, detail=args.format in ("json", "csv"))
    frontiers = build_frontiers(frame(args.results, trials=True)) if args.format in ("html", "frontier") else []
    out = Path(args.out) if args.out else None
    try:
        if args.format == "html":
            index = write_site(tables, out or Path(args.results) / "site", provenance(df), frontiers)
            print(f"wrote {index}")
            return 0
        text = render_frontier(frontiers) if args.format == "frontier" else RENDERERS[args.format](tables)
        if out is None:
            print(text, end="" if text.endswith("\n") else "\n")
            return 0
        _write_atomic(out, text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise UserError(f"cannot write {exc.filename or out}: {exc.strerror or exc}; "
                        f"choose another --out.") from None
    print(f"wrote {out}")
    return 0


def _write_atomic(out: Path, text: str) -> None:
    """Write through a temporary file and rename: never a half-written leaderboard."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def cmd_compare(args) -> int:
    from leaderboard.compare import compare

    print(compare(args.a, args.b), end="")
    return 0  # differences are findings, not errors


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        commands = {"list": cmd_list, "run": cmd_run, "leaderboard": cmd_leaderboard,
                    "compare": cmd_compare, "tune": tune_command.cmd_tune,
                    **cli_submit.COMMANDS}
        return commands[args.command](args)
    except UserError as exc:
        print(f"unlearnbench: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("unlearnbench: interrupted; completed cells are stored and will be skipped on rerun.",
              file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `unlearnbench list methods | head`: the reader left, not an error
        sys.stdout = open(os.devnull, "w")  # nothing left to flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
