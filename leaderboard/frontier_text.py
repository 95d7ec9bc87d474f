"""Markdown for ``unlearnbench leaderboard --format frontier``: per configuration, how to read
it, one summary row per method (trials, tuning cost, best healthy utility near retrain-level
forgetting, collapsed trials, the reported rows), then every trial. User strings go through
``escape_markdown``."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tabulate import tabulate

from leaderboard.frontier import Estimate, Frontier, Point, Summary
from leaderboard.markdown import escape_markdown

ORACLE_LABEL = "ORACLE-tuned (the rule read the retrained reference)"


def estimate_text(e: Estimate | None, scale: float) -> str:
    if e is None or not math.isfinite(e.mean):
        return "–"
    digits = 1 if scale == 100.0 else 3
    width = f" ± {e.half_width:.{digits}f}" if math.isfinite(e.half_width) else ""
    return f"{e.mean:.{digits}f}{width}"


def cost_text(s: Summary) -> str:
    each = s.tuning_s / s.trials if s.trials else math.nan
    return f"{s.trials} × {each:.0f} s = {s.tuning_s:.0f} s"


def method_label(s: Summary) -> str:
    return s.method + (f" ({ORACLE_LABEL})" if "oracle" in s.rules else "")


def render_frontier(frontiers: Sequence[Frontier]) -> str:
    if not frontiers:
        return "No tuning trials in this results store: run `unlearnbench tune` first.\n"
    return "\n".join(_section(f) for f in frontiers)


def _section(f: Frontier) -> str:
    unit = "points of R̄" if f.scale == 100.0 else "of accuracy"
    metric = "R̄" if f.score == "r_mean" else "acc"
    lines = [f"## Frontier: {escape_markdown(f.title)}", "",
             f"Forgetting = |forget {metric} − retrain's| paired per seed (0 is retrain, lower is better); "
             f"utility = test {metric} (higher is better). Trials ran on the tuning seeds; collapsed trials "
             f"(test below half of the original's) are failures, never on a Pareto front nor in a summary. "
             f"Best within {f.tolerance:g}: the best healthy trial's test {metric} among those within "
             f"{f.tolerance:g} {unit} of retrain's forgetting (± over tuning seeds when there are several). "
             f"Tuning cost = trials × the mean time of a trial (its cells on every tuning seed).", ""]
    reported = {}
    for p in f.reported:
        reported.setdefault(p.method, []).append(p)
    rows = [[escape_markdown(method_label(s)), cost_text(s), estimate_text(s.best_within, f.scale),
             s.collapsed_trials, "; ".join(_reported_text(p, f.scale) for p in reported.get(s.method, [])) or "–"]
            for s in f.summaries]
    lines.append(tabulate(rows, headers=["method", "tuning cost", f"best test {metric} within {f.tolerance:g}",
                                         "collapsed trials", "reported rows: forgetting / test"],
                          tablefmt="github"))
    lines += ["", "Trials (★ on the method's Pareto front, ✗ collapsed):", ""]
    trial_rows = [[escape_markdown(p.method), p.label, escape_markdown(params_text(p)),
                   estimate_text(p.forgetting, f.scale), estimate_text(p.utility, f.scale),
                   "✗" if p.collapsed else "★" if p.on_front else ""] for p in f.trials]
    lines.append(tabulate(trial_rows, headers=["method", "trial", "params", "forgetting", f"test {metric}", ""],
                          tablefmt="github"))
    return "\n".join(lines) + "\n"


def _reported_text(p: Point, scale: float) -> str:
    mark = " ✗ collapsed" if p.collapsed else ""
    return f"{p.label}: {estimate_text(p.forgetting, scale)} / {estimate_text(p.utility, scale)} " \
           f"({p.utility.n} seeds){mark}"


def params_text(p: Point) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(p.params.items()))
