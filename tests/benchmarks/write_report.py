"""Writes BENCHMARKS.md from the figures `make bench` measured in this run.

    python tests/benchmarks/write_report.py MICRO_JSON RATIOS_JSON > BENCHMARKS.md

MICRO_JSON: pytest-benchmark's ``--benchmark-json`` of tests/benchmarks/test_speed.py.
RATIOS_JSON: ``time_ratio.py --json``. The demo's own wall time is printed by `make demo` (the
run summary's last lines) and kept in the README. Every figure carries the command that measured it and the
hardware it ran on; a missed target is marked, and docs/performance.md explains each gap.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import torch

from bench.manifest import code_commit, cpu_model

ATTACK_TARGET_S = 5.0
RECALL_TARGET_S = 1.0


def micro_section(micro: dict) -> list[str]:
    lines = ["## Micro-benchmarks", "",
             "`python -m pytest tests/benchmarks -o addopts='' --benchmark-only` (pytest-benchmark; "
             "mean of its rounds, default task sizes, untrained weights: the passes cost the same).", "",
             "| benchmark | mean (s) | target |", "|---|---:|---|"]
    for bench in sorted(micro["benchmarks"], key=lambda b: b["name"]):
        mean = bench["stats"]["mean"]
        target = ""
        if bench["name"].startswith("test_recall_at_k"):
            target = f"< {RECALL_TARGET_S:g} s" + ("" if mean < RECALL_TARGET_S else " **missed**")
        elif bench["name"].startswith("test_attack_per_cell"):
            target = f"< {ATTACK_TARGET_S:g} s" + ("" if mean < ATTACK_TARGET_S else " **missed**")
        lines.append(f"| `{bench['name'].removeprefix('test_')}` | {mean:.3f} | {target} |")
    return lines


def ratio_section(ratios: dict) -> list[str]:
    lines = ["## Unlearning time as a fraction of retraining", "",
             "`python tests/benchmarks/time_ratio.py --json ratios.json`: the original and the "
             "reference trained with a fresh cache, then every method once at its defaults, seed 0, "
             "all in one run (only ratios measured side by side mean anything on a shared machine).", "",
             "| task | method | time (s) | × retrain | target |", "|---|---|---:|---:|---|"]
    for row in ratios["rows"]:
        if row["method"] == "retrain":
            target = "reference"
        else:
            target = f"≤ {row['target']:g}×" + ("" if row["ratio"] <= row["target"] else " **missed**")
        lines.append(f"| {row['task']} | {row['method']} | {row['unlearn_s']:.1f} | "
                     f"{row['ratio']:.3f} | {target} |")
    lines += ["", f"Harness overhead in that run (wall time outside training, unlearning, evaluation "
                  f"and attacks): {ratios['harness_s']:.1f} s of {ratios['wall_s']:.0f} s ({ratios['harness_share']:.1%}; target ≤ 5%)."]
    return lines


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    micro, ratios = (json.loads(open(path).read()) for path in argv)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "",
             f"Written by `make bench` on {now}: CPU {cpu_model()}, {torch.get_num_threads()} torch "
             f"threads, torch {torch.__version__}, commit {code_commit()}. Where the time goes and "
             "why a target is missed: docs/performance.md.", ""]
    lines += [*micro_section(micro), "", *ratio_section(ratios)]
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
