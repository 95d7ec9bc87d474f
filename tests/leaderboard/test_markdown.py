import math

from leaderboard import RENDERERS, build_tables, render_markdown
from leaderboard.formatting import format_cell, format_value
from leaderboard.markdown import escape_markdown
from leaderboard.table import Cell

HOSTILE = "a|b`<script>`"


def _table_lines(text):
    return [line for line in text.splitlines() if line.startswith("|")]


def _columns(line):
    """Split a GitHub table row on unescaped pipes."""
    cells, current, escaped = [], "", False
    for ch in line.strip()[1:-1]:
        if ch == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += ch
        escaped = ch == "\\" and not escaped
    return cells + [current]


def test_sections_rows_and_cells(grid):
    text = render_markdown(build_tables(grid))
    assert text.startswith("## toy · forget random 10%\n")
    lines = _table_lines(text)
    assert len(lines) == 2 + 4  # header, delimiter, four methods
    assert "Forget R̄ ≈R" in lines[0] and "ΔForget R̄ ≈R" in lines[0] and "Flags" in lines[0]
    assert "‖Δθ‖/‖θ‖ ·" in lines[0]  # info: a neutral marker, no arrow
    assert [c.strip() for c in _columns(lines[0])[:4]] == ["#", "Method", "Seeds", "Score ↓"]
    scrub = next(line for line in lines if _columns(line)[1].strip() == "scrub")
    assert _columns(scrub)[0].strip() == "1"  # best score
    assert "67.0 ± " in scrub  # mean of 70, 66, 65 with one decimal
    assert "3 (1 failed)" in scrub
    assert "equal gallery size" in text


def test_one_section_per_configuration_with_row_labels(rec):
    records = [rec("multidelete", 0, {"test.r_mean": 1.0}, method_params={"lr": lr, "ukr_split": "both"},
                   task="emoji_retrieval", forget={"kind": "random", "fraction": f, "count": None})
               for lr in (0.0005, 0.001) for f in (0.1, 0.05)]
    text = render_markdown(build_tables(records))
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## emoji\\_retrieval · forget random 5%", "## emoji\\_retrieval · forget random 10%"]
    labels = [_columns(line)[1].strip() for line in _table_lines(text) if "multidelete" in line]
    assert labels == ["multidelete (lr=0.0005)", "multidelete (lr=0.001)"] * 2


def test_hostile_method_name_cannot_break_the_table(rec, grid):
    grid.append(rec(HOSTILE, 0, {"forget.r_mean": 1.0}, error=""))
    text = render_markdown(build_tables(grid))
    lines = _table_lines(text)
    width = len(_columns(lines[0]))
    assert all(len(_columns(line)) == width for line in lines)
    assert "<script>" not in text and "`<" not in text
    hostile_row = next(line for line in lines if "script" in line)
    assert _columns(hostile_row)[1].strip() == r"a\|b\`&lt;script&gt;\`"


def test_hostile_task_flag_and_error_text_are_escaped(rec):
    records = [rec("m", 0, {"auc.df_vs_dr": float("nan")}, task="t*_#<b>"),
               rec("m", 1, task="t*_#<b>", status="failed", error="boom | `x`\n<img src=x>\n- item")]
    text = render_markdown(build_tables(records))
    assert text.startswith(r"## t\*\_\#&lt;b&gt; · forget random 10%" + "\n")
    assert "<img" not in text and "`x`" not in text
    assert "NaN metric: auc.df\\_vs\\_dr" in text
    assert all(line.startswith(("## ", "|", "- ")) or not line for line in text.splitlines())


def test_hostile_params_in_labels_and_titles_are_escaped(rec):
    records = [rec("m", 0, {"test.r_mean": 1.0}, method_params={"k": "|<i>`"}, task_params={"p": v},
                   forget={"kind": "x|y", "fraction": 0.1, "count": None}) for v in ("*", "[")]
    records.append(rec("m", 0, {"test.r_mean": 1.0}, method_params={"k": "2"}, task_params={"p": "*"},
                       forget={"kind": "x|y", "fraction": 0.1, "count": None}))
    text = render_markdown(build_tables(records))
    assert "<i>" not in text and "`" not in text.replace("\\`", "")
    assert r"## toy (p=\*) · forget x\|y 10%" in text
    lines = _table_lines(text)
    assert all(len(_columns(line)) == len(_columns(lines[0])) for line in lines)
    assert r"m (k=\|&lt;i&gt;\`)" in [_columns(line)[1].strip() for line in lines]


def test_escape_markdown_units():
    assert escape_markdown("scrub") == "scrub"
    assert escape_markdown("neg_grad") == r"neg\_grad"
    assert escape_markdown("a\nb\r\tc") == "a b c"
    assert escape_markdown("- x") == r"\- x"
    assert escape_markdown("1. x") == r"1\. x"
    assert escape_markdown("[link](http://e)") == r"\[link\](http://e)"
    assert escape_markdown("a & b") == "a &amp; b"


def test_precision_rules():
    assert format_value("forget.r_mean", 67.04) == "67.0"
    assert format_value("gap.forget.r_mean", -3.25) == "-3.2"
    assert format_value("gap.auc.df_vs_dr", -0.01234) == "-0.012"
    assert format_value("forget.a2b_r10", 67.04) == "67.0"
    assert format_value("test.acc", 0.9123) == "0.912"
    assert format_value("delta.l2", 0.000123456) == "0.000123"
    assert format_value("auc.df_vs_dr", 0.51234) == "0.512"
    assert format_value("mia.loss_auc", 0.5) == "0.500"
    assert format_value("cost.unlearn_s", 123.4) == "123"
    assert format_value("cost.unlearn_s", 4.56) == "4.6"
    assert format_value("cost.unlearn_s", 0.01234) == "0.012"
    assert format_value("cost.peak_rss_mb", 1234.4) == "1234"
    assert format_value("test.r_mean", -0.0) == "0.0"


def test_cell_format_single_seed_missing_and_nan():
    assert format_cell("test.r_mean", Cell(50.0, 1.234, 3)) == "50.0 ± 1.2"
    assert format_cell("test.r_mean", Cell(50.0, math.nan, 1)) == "50.0"
    assert format_cell("test.r_mean", Cell(math.nan, math.nan, 0)) == "—"


def test_empty_and_registry():
    assert render_markdown([]).strip()
    assert RENDERERS["md"] is render_markdown
