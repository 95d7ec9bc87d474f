"""``frontier.html`` of the static site: per configuration, the frontier picture with each
method's tuning cost beside it (summary table) and every trial in a sortable table. Every
user string goes through ``html.escape``; the page reuses the index page's style and script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from leaderboard.frontier import Frontier
from leaderboard.frontier_text import cost_text, estimate_text, method_label, params_text
from leaderboard.site_assets import SCRIPT, STYLE

TITLE = "unlearnbench forgetting–utility frontier"
PLOT_ALT = "Every tuning trial as forgetting vs test utility, with each method's Pareto front"


def render_frontier_page(frontiers: Sequence[Frontier], plots: Sequence[str], provenance: Mapping[str, str]) -> str:
    sections = "".join(_section(i, f, src) for i, (f, src) in enumerate(zip(frontiers, plots), 1))
    footer = " · ".join(f"{escape(k)}: {escape(v)}" for k, v in provenance.items())
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{TITLE}</h1>\n"
            f'<p><a href="index.html">back to the leaderboard</a></p>\n{sections}'
            f"<footer><p>{footer}</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _section(i: int, f: Frontier, plot: str) -> str:
    metric = "R̄" if f.score == "r_mean" else "acc"
    summary = "".join(
        f'<tr><td class="label">{escape(method_label(s))}</td><td>{escape(cost_text(s))}</td>'
        f"<td>{escape(estimate_text(s.best_within, f.scale))}</td><td>{s.collapsed_trials}</td></tr>"
        for s in f.summaries)
    trials = "".join(
        f'<tr><td class="label">{escape(p.method)}</td><td class="label">{escape(p.label)}</td>'
        f'<td class="label">{escape(params_text(p))}</td>'
        f'<td data-value="{p.forgetting.mean}">{escape(estimate_text(p.forgetting, f.scale))}</td>'
        f'<td data-value="{p.utility.mean}">{escape(estimate_text(p.utility, f.scale))}</td>'
        f"<td>{'collapsed' if p.collapsed else 'front' if p.on_front else ''}</td></tr>"
        for p in f.trials)
    return (f'<section id="frontier-{i}">\n<h2>Frontier: {escape(f.title)}</h2>\n<div class="plots">'
            f'<figure><img src="{escape(plot)}" alt="{PLOT_ALT}"></figure>\n'
            f'<table><thead><tr><th class="label">Method</th><th>Tuning cost (trials × time)</th>'
            f"<th>Best test {metric} within {f.tolerance:g} of retrain forgetting</th><th>Collapsed trials</th>"
            f"</tr></thead><tbody>{summary}</tbody></table></div>\n"
            f"<p>Forgetting = |forget {metric} − retrain's| paired per seed; collapsed trials (test below half of "
            f"the original's) are failures, never on a front nor in a summary.</p>\n"
            f'<table class="sortable"><thead><tr><th class="label">Method</th><th class="label">Trial</th>'
            f'<th class="label">Params</th><th data-type="number">Forgetting</th>'
            f'<th data-type="number">Test {metric}</th><th class="label">Front</th></tr></thead>'
            f"<tbody>{trials}</tbody></table>\n</section>\n")
