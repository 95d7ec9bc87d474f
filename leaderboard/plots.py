"""The site's plots, drawn with matplotlib (Agg, no pyplot state), one PNG per table and kind:

- ``tradeoff``: forgetting vs utility, one point per row with 95% error bars both ways — the
  forget score (forget.r_mean, else forget.acc) against test utility (test.r_mean, else
  test.acc). Retrain is a star with a dashed line at its forget score (the target), the
  original a cross; methods are dots, labelled.
- ``cost``: unlearning time and peak memory (GPU allocated when measured, else peak RSS) per
  row, horizontal bars with 95% error bars.

Labels are user strings: matplotlib's mathtext is switched off (``text.parse_math``), so a
``$`` in a method name is drawn as a dollar sign, not parsed.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from leaderboard.columns import KNOWN
from leaderboard.flags import ORIGINAL, RETRAIN_METHOD
from leaderboard.table import Row, Table

FORGET = ("forget.r_mean", "forget.acc")
UTILITY = ("test.r_mean", "test.acc")
TIME = ("cost.unlearn_s",)
MEMORY = ("cost.peak_gpu_alloc_mb", "cost.peak_rss_mb")
DPI = 110
# Method colours: tab10 without the green and red that mark retrain and the original.
PALETTE = ("tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:gray",
           "tab:olive", "tab:cyan")
MARKERS = ("o", "s", "^", "D")  # with the palette: 32 methods before a (colour, marker) repeats


def write_plots(table: Table, stem: Path) -> dict[str, Path]:
    """Draw every plot the table has the metrics for; {kind: file written}."""
    written = {}
    with matplotlib.rc_context({"text.parse_math": False, "font.size": 9}):
        for kind, draw in (("tradeoff", _tradeoff), ("cost", _cost)):
            figure = draw(table)
            if figure is not None:
                path = stem.with_name(f"{stem.name}-{kind}.png")
                figure.savefig(path, dpi=DPI, bbox_inches="tight")
                written[kind] = path
    return written


def _first(table: Table, metrics: tuple[str, ...]) -> str | None:
    present = {c.metric for c in table.columns}
    return next((m for m in metrics if m in present), None)


def _mean_err(row: Row, metric: str) -> tuple[float, float]:
    cell = row.cells[metric]
    return cell.mean, (cell.half_width if math.isfinite(cell.half_width) else 0.0)


def metric_label(metric: str) -> str:
    return KNOWN[metric][0] if metric in KNOWN else metric


def _tradeoff(table: Table) -> Figure | None:
    x_metric, y_metric = _first(table, FORGET), _first(table, UTILITY)
    if x_metric is None or y_metric is None:
        return None
    figure = Figure(figsize=(6.4, 4.4))
    ax = figure.add_subplot()
    methods = 0
    for row in table.rows:
        (x, xerr), (y, yerr) = _mean_err(row, x_metric), _mean_err(row, y_metric)
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        style = {RETRAIN_METHOD: dict(marker="*", markersize=14, color="tab:green"),
                 ORIGINAL: dict(marker="X", markersize=10, color="tab:red")}.get(row.method)
        if style is None:
            style = dict(marker=MARKERS[methods // len(PALETTE) % len(MARKERS)], markersize=6,
                         color=PALETTE[methods % len(PALETTE)])
            methods += 1
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, linestyle="none", capsize=3, label=row.label,
                    **style)
        ax.annotate(row.label, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=7)
        if row.method == RETRAIN_METHOD:
            ax.axvline(x, color="tab:green", linestyle="--", linewidth=1)
    ax.set_xlabel(f"{metric_label(x_metric)} (closest to retrain is best)")
    ax.set_ylabel(f"{metric_label(y_metric)} (higher is better)")
    ax.set_title(table.title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the points
    return figure


def _cost(table: Table) -> Figure | None:
    metrics = [m for m in (_first(table, TIME), _first(table, MEMORY)) if m is not None]
    rows = [r for r in table.rows if any(r.cells[m].n for m in metrics)]
    if not metrics or not rows:
        return None
    figure = Figure(figsize=(4.0 * len(metrics), 0.35 * len(rows) + 1.4))
    labels = [r.label for r in rows]
    for i, metric in enumerate(metrics):
        ax = figure.add_subplot(1, len(metrics), i + 1)
        means, errs = zip(*(_mean_err(r, metric) for r in rows))
        ax.barh(range(len(rows)), [m if math.isfinite(m) else 0.0 for m in means], xerr=errs,
                capsize=3, color="tab:blue")
        ax.set_yticks(range(len(rows)), labels if i == 0 else [""] * len(rows))
        ax.invert_yaxis()
        ax.set_xlabel(metric_label(metric))
        ax.grid(axis="x", alpha=0.3)
    figure.suptitle(table.title)
    return figure
