"""Number formatting shared by the text renderers (markdown now; csv, latex, html later).

Precision follows what the numbers can carry over a few seeds: recall in percent with one
decimal, AUCs and accuracies (fractions) with three, seconds with about two significant
digits, MB as integers. The table model keeps full precision; only text output rounds.
"""

from __future__ import annotations

import math
import re

MISSING = "—"  # no value: the metric was not measured for this row
HARDWARE_MARK = "†"  # a cost cell measured (partly) on other hardware than the table's
# Recall in percent: r_mean (mean Recall@K), rK, r@K, and the per-direction a2b_rK / b2a_rK.
_RECALL = re.compile(r"^(r_mean|r\d+|r@\d+|(a2b|b2a)_r\d+)$")


def precision_kind(metric: str) -> str:
    """Which formatting rule a metric takes, from its name (`<part>.<metric>`)."""
    name = metric.split(".", 1)[-1]
    if metric.startswith("gap."):  # gap.<metric> has the unit of the metric it is a gap of
        return precision_kind(name)
    if _RECALL.match(name):
        return "percent"
    # Accuracies are fractions in [0, 1], like scikit-learn's and the MIA attacks'; the
    # composite score is a share of the metrics' full scales.
    if metric == "composite" or "auc" in metric or metric.startswith("mia.") or name == "acc":
        return "fraction"
    if name.endswith("_s"):
        return "seconds"
    if name.endswith("_mb"):
        return "mb"
    return "general"


def format_value(metric: str, x: float) -> str:
    if x is None or math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    x = 0.0 if x == 0 else x  # no "-0.0"
    kind = precision_kind(metric)
    if kind == "percent":
        return f"{x:.1f}"
    if kind == "fraction":
        return f"{x:.3f}"
    if kind == "mb":
        return f"{x:.0f}"
    if kind == "seconds" or metric == "cost.speedup":
        return _two_significant(x)
    return f"{x:.3g}"


def format_cell(metric: str, cell) -> str:
    """`mean ± half_width`, just `mean` from one seed, `—` when nothing was measured."""
    if cell.n == 0:
        return MISSING
    mean = format_value(metric, cell.mean)
    if cell.n < 2 or not math.isfinite(cell.half_width):
        return mean
    return f"{mean} ± {format_value(metric, cell.half_width)}"


def _two_significant(x: float) -> str:
    if abs(x) >= 10:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.1f}"
    text = f"{x:.2g}"
    return f"{x:.1e}" if "e" in text else text
