"""The site's plot of a sequential-deletion view (``sequential.StepView``): each row's forget
score after each request, with 95% error bars; retrain green and dashed (the target), the
original red (it never changes: no request reaches it)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from leaderboard.flags import ORIGINAL, RETRAIN_METHOD
from leaderboard.plots import DPI, MARKERS, PALETTE, metric_label
from leaderboard.sequential import StepView


def write_step_plot(view: StepView, path: Path) -> Path | None:
    """Draws the view into ``path`` (PNG); None when no row has a number."""
    with matplotlib.rc_context({"text.parse_math": False, "font.size": 9}):
        figure = Figure(figsize=(6.4, 4.2))
        ax = figure.add_subplot()
        drawn = 0
        for i, (label, entries) in enumerate(view.rows.items()):
            points = [(step, e[0].mean, e[0].half_width) for step, e in zip(view.steps, entries)
                      if e is not None and math.isfinite(e[0].mean)]
            if not points:
                continue
            style = {RETRAIN_METHOD: dict(color="tab:green", linestyle="--", marker="*", markersize=12),
                     ORIGINAL: dict(color="tab:red", linestyle=":", marker="X", markersize=9)}.get(
                label, dict(color=PALETTE[drawn % len(PALETTE)],
                            marker=MARKERS[drawn // len(PALETTE) % len(MARKERS)], markersize=5))
            if label not in (RETRAIN_METHOD, ORIGINAL):
                drawn += 1
            steps, means, errs = zip(*points)
            ax.errorbar(steps, means, yerr=[e if math.isfinite(e) else 0.0 for e in errs],
                        capsize=3, label=label, **style)
        if not ax.lines:
            return None
        ax.set_xticks(view.steps)
        ax.set_xlabel("deletion request")
        ax.set_ylabel(f"{metric_label(view.metric)} (closest to retrain is best)")
        ax.set_title(view.title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path
