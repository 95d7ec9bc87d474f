"""The commands for submitting a method: ``new-method``, ``check-method``, ``export``, ``import``.

``bench.cli`` owns the parser and dispatch; this module adds these subcommands to it. Bad input
(a missing file, a file that registers no method, an unknown name) is a ``UserError``: one
line, exit code 2. A method that fails a check is exit code 1, after every check has printed
its line.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.errors import UserError

EXIT_CHECK_FAILED = 1


def add_parsers(sub) -> None:
    p_new = sub.add_parser("new-method", help="write a documented template method file NAME.py")
    p_new.add_argument("name", help="registry key and file name, e.g. my_method")
    p_new.add_argument("--dir", default=".", help="directory to write it in (default: .)")

    p_check = sub.add_parser("check-method", help="run the method contract checks on tiny tasks")
    p_check.add_argument("target", help="a method file (PATH.py) or a registered method's name")
    p_check.add_argument("--tasks", help="comma-separated tasks (default: every registered task)")
    p_check.add_argument("--cache", help="feature cache dir to reuse (default: a temporary dir)")

    p_export = sub.add_parser("export", help="write a results dir's records to one JSON file")
    p_export.add_argument("out", help="file to write, e.g. results.json")
    p_export.add_argument("--results", default="results")

    p_import = sub.add_parser("import", help="add the records of an exported file to a results dir")
    p_import.add_argument("file", help="a file written by `unlearnbench export`")
    p_import.add_argument("--results", default="results")


def cmd_new_method(args) -> int:
    from bench.method_template import write_template

    path = write_template(args.name, Path(args.dir))
    print(f"wrote {path}; check it with `unlearnbench check-method {path}`")
    return 0


def _targets(target: str) -> tuple[list[str], str | None, list[str]]:
    """(method names, file, lines of failed checks): a file is loaded; a name must be registered.
    A file whose method name is taken yields no names and the failed `unique name` line."""
    from bench.method_checks import CHECK_FIXES, FAIL, CheckResult
    from bench.method_file import load_method_file
    from bench.registry import METHODS, DuplicateNameError

    if target.endswith(".py") or Path(target).exists():
        try:
            return load_method_file(target), target, []
        except DuplicateNameError as exc:
            return [], target, [CheckResult("unique name", FAIL, None, str(exc), CHECK_FIXES["unique name"]).line()]
    METHODS.get(target)  # an unknown name: UserError with suggestions
    return [target], None, []


def cmd_check_method(args) -> int:
    from bench.cli import _csv
    from bench.method_checks import FAIL, SKIP, check_method
    from bench.provenance import origin
    from bench.registry import METHODS, TASKS
    from bench.smoke import build_setting

    names, file, failed_lines = _targets(args.target)
    for line in failed_lines:
        print(line)
    task_names = _csv(args.tasks) or TASKS.names()
    for task in task_names:
        TASKS.get(task)  # unknown names fail before anything is trained
    started = time.perf_counter()
    counts = {"pass": 0, FAIL: len(failed_lines), SKIP: 0}
    with tempfile.TemporaryDirectory(prefix="unlearnbench-check-") as tmp:
        cache = Path(args.cache) if args.cache else Path(tmp)

        built = {}

        def settings():  # each task's tiny model is trained once, when first needed
            for task in task_names:
                if task not in built:
                    print(f"  training the tiny {task} model ...", flush=True)
                    built[task] = build_setting(task, cache)
                yield built[task]

        for name in names:
            method_cls = METHODS.get(name)
            where, package = origin(method_cls)
            print(f"checking {name} ({where}: {package or file}) on {', '.join(task_names)}", flush=True)
            for result in check_method(name, method_cls, settings()):
                counts[result.status] += 1
                print(result.line(), flush=True)
    print(f"{counts['pass']} passed, {counts[FAIL]} failed, {counts[SKIP]} skipped "
          f"in {time.perf_counter() - started:.0f} s")
    return EXIT_CHECK_FAILED if counts[FAIL] else 0


def cmd_export(args) -> int:
    from bench.results_file import export_records
    from bench.store import Store

    store = Store(args.results, create=False)
    count = export_records(store, args.out)
    store.close()
    print(f"exported {count} records from {store.path} to {args.out}")
    return 0


def cmd_import(args) -> int:
    from bench.results_file import import_records, read_records
    from bench.store import Store

    if not Path(args.file).is_file():
        raise UserError(f"{args.file}: no such file; give a file written by `unlearnbench export`.")
    records = read_records(args.file)  # all checked before the results dir is touched
    store = Store(args.results)
    imported, kept = import_records(store, records)
    store.close()
    print(f"imported {imported} records into {store.path}"
          + (f"; kept {kept} already there" if kept else ""))
    return 0


COMMANDS = {"new-method": cmd_new_method, "check-method": cmd_check_method, "export": cmd_export,
            "import": cmd_import}
