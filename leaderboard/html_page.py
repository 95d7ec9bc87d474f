"""HTML renderer: the site's ``index.html``, one section per configuration with a sortable
table (rank, method, seeds, the composite score, the metrics, flags), its plots and its
notes, and a provenance footer (unlearnbench version, code commit, hardware, date).

Every string that comes from a user or a record (titles, labels, flags, notes, headers,
provenance) goes through ``html.escape`` (quotes included, so attribute values are safe too):
a method named ``x<b>y</b>`` shows as that text. Numeric cells carry the unrounded mean in
``data-value`` for sorting. The page is static and self-contained (``site_assets``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from leaderboard.display import cell_text, rank_text, seeds_text
from leaderboard.flags import COLLAPSED
from leaderboard.ranks import REFERENCE_ROWS
from leaderboard.site_assets import SCRIPT, STYLE
from leaderboard.sequential import StepView, step_headers, step_text
from leaderboard.table import Row, Table

TITLE = "unlearnbench leaderboard"
PLOT_ALT = {"tradeoff": "Forgetting vs utility per method, with 95% error bars",
            "cost": "Unlearning time and peak memory per method, with 95% error bars"}
STEPS_ALT = "Forget score after each deletion request per method, with 95% error bars"


def render_html(tables: Sequence[Table], plots: Sequence[Mapping[str, str]],
                provenance: Mapping[str, str],
                steps: Sequence[tuple[StepView, str | None]] = (),
                pages: Sequence[tuple[str, str]] = ()) -> str:
    """``plots[i]`` maps a plot kind to its file name (relative to the page) for table i;
    ``steps`` are the sequential-deletion views with their plot's file name (or None);
    ``pages`` are (file, title) of the site's other pages (the tuning frontier)."""
    nav = "".join(f'<li><a href="#table-{i}">{escape(t.title)}</a></li>'
                  for i, t in enumerate(tables, 1))
    nav += "".join(f'<li><a href="#steps-{i}">{escape(v.title)}</a></li>'
                   for i, (v, _) in enumerate(steps, 1))
    nav += "".join(f'<li><a href="{escape(src)}">{escape(title)}</a></li>' for src, title in pages)
    sections = "".join(_section(i, t, p) for i, (t, p) in enumerate(zip(tables, plots), 1))
    sections += "".join(_steps_section(i, v, src) for i, (v, src) in enumerate(steps, 1))
    body = sections or "<p>No records.</p>"
    footer = " · ".join(f"{escape(k)}: {escape(v)}" for k, v in provenance.items())
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{TITLE}</h1>\n<ul>{nav}</ul>\n{body}\n"
            f"<footer><p>{footer}</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _section(i: int, table: Table, plots: Mapping[str, str]) -> str:
    head = ('<th data-type="number">#</th><th class="label">Method</th><th>Seeds</th>'
            + "".join(f'<th data-type="number" title="{escape(c.metric)}">{escape(c.header)}</th>'
                      for c in table.columns)
            + '<th class="label">Flags</th>')
    body = "".join(_row(table, row) for row in table.rows)
    figures = "".join(f'<figure><img src="{escape(src)}" alt="{escape(PLOT_ALT[kind])}">'
                      f"</figure>" for kind, src in plots.items())
    notes = "".join(f"<li>{escape(note)}</li>" for note in table.notes)
    return (f'<section id="table-{i}">\n<h2>{escape(table.title)}</h2>\n'
            f'<table class="sortable"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>'
            f'</table>\n<div class="plots">{figures}</div>\n<ul class="notes">{notes}</ul>\n'
            f"</section>\n")


def _steps_section(i: int, view: StepView, plot: str | None) -> str:
    head = '<th class="label">Method</th>' + "".join(f"<th>{escape(h)}</th>" for h in step_headers(view))
    body = "".join(f'<tr><td class="label">{escape(label)}</td>'
                   + "".join(f"<td>{escape(step_text(view, e))}</td>" for e in entries) + "</tr>\n"
                   for label, entries in view.rows.items())
    figure = (f'<div class="plots"><figure><img src="{escape(plot)}" alt="{escape(STEPS_ALT)}">'
              f"</figure></div>\n") if plot else ""
    return (f'<section id="steps-{i}">\n<h2>{escape(view.title)}</h2>\n'
            f"<p>{escape(view.metric)} after each deletion request (gap to retrain, paired by seed)</p>\n"
            f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>\n{figure}"
            f"</section>\n")


def _row(table: Table, row: Row) -> str:
    classes = " ".join(c for c, on in (("reference", row.method in REFERENCE_ROWS),
                                       (COLLAPSED, COLLAPSED in row.flags)) if on)
    cells = [f'<td data-value="{row.rank if row.rank is not None else ""}">{rank_text(row)}</td>',
             f'<td class="label">{escape(row.label)}</td>', f"<td>{escape(seeds_text(row))}</td>"]
    for col in table.columns:
        mean = row.cells[col.metric].mean
        value = repr(float(mean)) if math.isfinite(mean) else ""
        best = ' class="best"' if row.ranks.get(col.metric) == 1 else ""
        cells.append(f'<td{best} data-value="{value}">{escape(cell_text(table, row, col))}</td>')
    cells.append(f'<td class="flags">{escape("; ".join(row.flags))}</td>')
    return f'<tr class="{classes}">{"".join(cells)}</tr>\n'
