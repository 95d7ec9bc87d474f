"""The frontier picture: every trial of every method (forgetting, the gap to retrain, against
test utility), each method's Pareto front as a line, collapsed trials as grey crosses, the
reported rows (mean ± 95% CI over the reported seeds) as large outlined markers, retrain at 0
and the original as references. The legend carries each method's tuning cost (trials × time).
Same styling rules as ``plots`` (palette, markers, no mathtext)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from leaderboard.flags import ORIGINAL, RETRAIN_METHOD
from leaderboard.frontier import Frontier
from leaderboard.frontier_text import cost_text, method_label
from leaderboard.plots import DPI, MARKERS, PALETTE


def write_frontier_plot(frontier: Frontier, path: Path) -> Path:
    with matplotlib.rc_context({"text.parse_math": False, "font.size": 9}):
        figure = _draw(frontier)
        figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _draw(f: Frontier) -> Figure:
    figure = Figure(figsize=(7.2, 4.8))
    ax = figure.add_subplot()
    for i, summary in enumerate(f.summaries):
        style = dict(color=PALETTE[i % len(PALETTE)], marker=MARKERS[i // len(PALETTE) % len(MARKERS)])
        points = [p for p in f.trials if p.method == summary.method]
        healthy = [p for p in points if not p.collapsed]
        ax.scatter([p.forgetting.mean for p in healthy], [p.utility.mean for p in healthy], s=18, alpha=0.6,
                   label=f"{method_label(summary)}: {cost_text(summary)}", **style)
        front = sorted((p for p in points if p.on_front), key=lambda p: p.forgetting.mean)
        ax.plot([p.forgetting.mean for p in front], [p.utility.mean for p in front], linewidth=1, color=style["color"])
        for p in f.reported:
            if p.method == summary.method and math.isfinite(p.forgetting.mean):
                ax.errorbar(p.forgetting.mean, p.utility.mean, xerr=_err(p.forgetting), yerr=_err(p.utility),
                            markersize=9, markeredgecolor="black", capsize=3, linestyle="none", **style)
    collapsed = [p for p in f.trials if p.collapsed]
    if collapsed:
        ax.scatter([p.forgetting.mean for p in collapsed], [p.utility.mean for p in collapsed], marker="x",
                   color="tab:gray", label="collapsed trial (failure)")
    retrain, original = f.references.get(RETRAIN_METHOD), f.references.get(ORIGINAL)
    if retrain is not None and math.isfinite(retrain.mean):
        ax.scatter([0.0], [retrain.mean], marker="*", s=160, color="tab:green", label="retrain (target)")
        ax.axvline(0.0, color="tab:green", linestyle="--", linewidth=1)
    if original is not None and math.isfinite(original.mean):
        ax.axhline(original.mean, color="tab:red", linestyle=":", linewidth=1, label="original's test utility")
    metric = "R̄" if f.score == "r_mean" else "acc"
    ax.set_xlabel(f"forgetting: |forget {metric} − retrain's| (lower is better)")
    ax.set_ylabel(f"test {metric} (higher is better)")
    ax.set_title(f"Frontier: {f.title}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="method: tuning cost",
              title_fontsize=7)
    return figure


def _err(e) -> float:
    return e.half_width if math.isfinite(e.half_width) else 0.0
