"""LaTeX renderer for papers: one ``table`` float per configuration with a booktabs
``tabular`` (``\\usepackage{booktabs}`` in the preamble), the best value of each ranked column
in bold (rank 1 by the column's direction, ``leaderboard.ranks``; the reference rows original
and retrain are above a ``\\midrule`` and never bold). The table's notes follow as ``%``
comments, for the author to turn into a caption.

Every string from a user (titles, labels, flags, notes) is escaped: the ten characters with a
meaning in LaTeX (and ``|``, a dash in the default font encoding) become their text commands,
control characters spaces; the symbols the leaderboard itself prints (arrows, ±, Δ, R̄, †)
become math, so the output compiles with pdflatex and no unicode packages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from leaderboard.display import cell_text, rank_text, seeds_text
from leaderboard.ranks import REFERENCE_ROWS
from leaderboard.table import Table

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "|": r"\textbar{}"}
_SYMBOLS = {"R̄": r"$\bar{R}$", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "≈": r"$\approx$",
            "±": r"$\pm$", "Δ": r"$\Delta$", "θ": r"$\theta$", "‖": r"$\|$", "·": r"$\cdot$",
            "†": r"$^\dagger$", "—": "---", "…": r"\ldots{}", "<": r"\textless{}",
            ">": r"\textgreater{}"}
_REPLACE = {**_SPECIAL, **_SYMBOLS}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TOKEN = re.compile("|".join(re.escape(k) for k in sorted(_REPLACE, key=len, reverse=True)))


def escape_latex(text: object) -> str:
    """Literal text: no command, group, math or comment can be opened from it."""
    return _TOKEN.sub(lambda m: _REPLACE[m.group(0)], _CONTROL.sub(" ", str(text)))


def render_latex(tables: Sequence[Table]) -> str:
    if not tables:
        return "% No records.\n"
    return "\n".join(_render_table(t) for t in tables)


def _render_table(table: Table) -> str:
    spec = "rlr" + "r" * len(table.columns) + "l"
    header = ["\\#", "Method", "Seeds"] + [escape_latex(c.header) for c in table.columns] \
        + ["Flags"]
    lines = ["\\begin{table}[t]", "\\centering", "\\small",
             f"\\caption{{{escape_latex(table.title)}}}", f"\\begin{{tabular}}{{{spec}}}",
             "\\toprule", " & ".join(header) + " \\\\", "\\midrule"]
    references = sum(row.method in REFERENCE_ROWS for row in table.rows)
    for i, row in enumerate(table.rows):
        if i == references and 0 < references < len(table.rows):
            lines.append("\\midrule")
        cells = []
        for col in table.columns:
            text = escape_latex(cell_text(table, row, col))
            cells.append(f"\\textbf{{{text}}}" if row.ranks.get(col.metric) == 1 else text)
        lines.append(" & ".join([rank_text(row), escape_latex(row.label), seeds_text(row), *cells,
                                 escape_latex("; ".join(row.flags))]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
    lines += [f"% {escape_latex(note)}" for note in table.notes]
    return "\n".join(lines) + "\n"
