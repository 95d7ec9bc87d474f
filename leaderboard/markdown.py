"""Markdown renderer (tabulate): one `## <title>` section per table (task, the task params that
tell its tables apart, forget spec), a GitHub table (rank, method, seeds, the composite score,
the metrics, flags), then the notes.

Every string that comes from a user (titles, row labels with method names and params, flags,
error text in the notes, headers) goes through `escape_markdown`, so a hostile name such as
``a|b`<script>``` stays inside its cell as literal text: it cannot add a column, open a code
span, or inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate

from leaderboard.display import cell_text, rank_text, seeds_text
from leaderboard.sequential import StepView, step_headers, step_text, step_views
from leaderboard.table import Table

# Characters with a meaning in GitHub-flavoured markdown inline text or tables. `<`, `>` and `&`
# become entities (a backslash does not stop every HTML parser); the rest are backslash-escaped.
_BACKSLASHED = set("\\`*_{}[]|~#$!")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LEADING_MARKER = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))")


def escape_markdown(text: object) -> str:
    """Literal text for one table cell or line: no markup, no HTML, no line breaks."""
    text = _CONTROL.sub(" ", str(text))  # a newline would end the table row
    out = []
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    # A leading list marker would turn a note line into a nested list.
    return _LEADING_MARKER.sub(_escape_marker, "".join(out))


def _escape_marker(m: re.Match) -> str:
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


def render_markdown(tables: Sequence[Table]) -> str:
    if not tables:
        return "_No records._\n"
    return "\n".join([_render_table(table) for table in tables]
                     + [_render_steps(view) for view in step_views(tables)])


def _render_steps(view: StepView) -> str:
    headers = ["Method"] + step_headers(view)
    body = [[escape_markdown(label)] + [step_text(view, e) for e in entries]
            for label, entries in view.rows.items()]
    grid = tabulate(body, headers=headers, tablefmt="github", disable_numparse=True)
    return (f"## {escape_markdown(view.title)}\n\n{escape_markdown(view.metric)} after each "
            f"deletion request (gap to retrain, paired by seed):\n\n{grid}\n")


def _render_table(table: Table) -> str:
    headers = ["#", "Method", "Seeds"] + [escape_markdown(c.header) for c in table.columns] \
        + ["Flags"]
    body = [
        [rank_text(row), escape_markdown(row.label), seeds_text(row)]
        + [cell_text(table, row, c) for c in table.columns]
        + ["; ".join(escape_markdown(flag) for flag in row.flags)]
        for row in table.rows
    ]
    grid = tabulate(body, headers=headers, tablefmt="github", disable_numparse=True)
    notes = "\n".join(f"- {escape_markdown(note)}" for note in table.notes)
    return f"## {escape_markdown(table.title)}\n\n{grid}\n\n{notes}\n"

