"""The `make demo` suite, timed, and the same grid at every method's defaults.

    python tests/benchmarks/demo_suite.py OUT_DIR RUN_FLAGS...

RUN_FLAGS are the demo's `unlearnbench run` flags (the Makefile passes its own, so the bench
times exactly what `make demo` runs). Two runs, one after the other:

1. ``tuned``: the demo as `make demo` runs it (tuned presets), into OUT_DIR/tuned with a fresh
   model cache, so its wall time includes training every original and reference;
2. ``defaults``: the same grid with ``--preset defaults`` into OUT_DIR/defaults, on the same
   cache: its originals and references are loaded, so only its cells run. Its cells give each
   method's unlearning time at its defaults as a fraction of the reference's training time,
   measured on this machine in run 1 (the issue's targets are at the defaults).

Writes OUT_DIR/demo.json: each run's command, its process wall time and its run summary
(``run --summary``). tests/benchmarks/write_report.py reads it and both stores. A script, not a
test: timings on shared machines are noisy, so only figures measured in one run are compared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

RUNS = {"tuned": [], "defaults": ["--preset", "defaults"]}


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    out, flags = Path(argv[0]), argv[1:]
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    runs = {}
    for name, extra in RUNS.items():
        command = ["unlearnbench", "run", *flags, *extra, "--results", str(out / name),
                   "--cache", str(out / "cache"), "--summary", str(out / f"{name}.summary.json")]
        print("$", " ".join(command), flush=True)
        started = time.perf_counter()
        code = subprocess.call([str(Path(sys.executable).with_name("unlearnbench")), *command[1:]])
        wall = time.perf_counter() - started
        if code not in (0, 1):  # 1: some cells failed, which the report shows
            sys.exit(f"{' '.join(command)} exited {code}")
        runs[name] = {"command": " ".join(command), "wall_s": wall,
                      "summary": json.loads((out / f"{name}.summary.json").read_text())}
    (out / "demo.json").write_text(json.dumps(runs, indent=1) + "\n")
    print(f"wrote {out / 'demo.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
