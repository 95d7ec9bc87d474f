"""CSV and LaTeX renderers: shape, escaping, bold best values."""

import csv
import io
import math

from leaderboard import RENDERERS, build_tables, render_csv, render_latex
from leaderboard.csv_table import HEADER
from leaderboard.latex import escape_latex


def _csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_is_long_form_with_full_precision(grid):
    tables = build_tables(grid, detail=True)
    rows = _csv_rows(render_csv(tables))
    assert list(rows[0]) == list(HEADER)
    assert len(rows) == sum(len(t.rows) * len(t.columns) for t in tables)
    scrub = next(r for r in rows if r["method"] == "scrub" and r["metric"] == "forget.r_mean")
    assert float(scrub["mean"]) == 67.0 and scrub["n"] == "3" and scrub["rank"] == "1"
    assert math.isclose(float(scrub["ci95"]), tables[0].rows[2].cells["forget.r_mean"].half_width)
    assert scrub["flags"] == "failed (1/4 seeds)" and scrub["forget"] == (
        '{"count":null,"fraction":0.1,"kind":"random"}')
    original = next(r for r in rows if r["method"] == "original")
    assert original["rank"] == "" and original["column_rank"] == ""  # references are not ranked


def test_csv_quotes_and_defuses_formulas(rec):
    records = [rec('=HYPERLINK("http://x")', 0, {"test.r_mean": 1.0},
                   method_params={"a": "x,\ny"}),
               rec("+1", 0, {"test.r_mean": float("nan")})]
    rows = _csv_rows(render_csv(build_tables(records)))
    methods = {r["method"] for r in rows}
    assert methods == {"'=HYPERLINK(\"http://x\")", "'+1"}
    assert any(r["method_params"] == '{"a":"x,\\ny"}' for r in rows)
    nan = next(r for r in rows if r["method"] == "'+1" and r["metric"] == "test.r_mean")
    assert nan["mean"] == ""


def test_latex_escapes_every_user_string():
    assert escape_latex(r"a_b&c%d$e#f{g}h~i^j\k|l") == (
        r"a\_b\&c\%d\$e\#f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k\textbar{}l")
    assert escape_latex("x<b>\ny") == r"x\textless{}b\textgreater{} y"
    assert escape_latex("Forget R̄ ≈R ± ↑") == r"Forget $\bar{R}$ $\approx$R $\pm$ $\uparrow$"


def test_latex_is_booktabs_with_best_values_bold(grid):
    text = render_latex(build_tables(grid))
    assert text.count("\\begin{table}") == 1 and "\\toprule" in text and "\\bottomrule" in text
    lines = text.splitlines()
    scrub = next(line for line in lines if line.startswith("1 & scrub"))
    neggrad = next(line for line in lines if line.startswith("2 & neggrad"))
    assert "\\textbf{67.0 $\\pm$ 6.6}" in scrub  # closest to retrain's forget recall
    assert "\\textbf{45.0" not in neggrad
    original = next(line for line in lines if "& original &" in line)
    assert "\\textbf" not in original  # references are never bold
    assert RENDERERS["latex"] is render_latex and RENDERERS["csv"] is render_csv
