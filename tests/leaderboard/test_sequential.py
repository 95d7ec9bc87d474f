"""The per-request view of sequential deletion: values from the step tables, in every renderer."""

import pytest

from leaderboard import build_tables, render_markdown, write_site
from leaderboard.frame import records_frame
from leaderboard.sequential import step_views

SPEC = {"kind": "sequential", "fraction": 0.1, "count": None, "steps": 2}
# forget.r_mean per (method, step) over seeds 0-2
FORGET = {("original", 1): [90.0, 92.0, 94.0], ("original", 2): [90.0, 92.0, 94.0],
          ("retrain", 1): [60.0, 62.0, 64.0], ("retrain", 2): [58.0, 60.0, 62.0],
          ("ga", 1): [70.0, 71.0, 72.0], ("ga", 2): [66.0, 66.0, 66.0]}


@pytest.fixture
def sequential(rec):
    records = [rec(method, seed, {"forget.r_mean": values[seed], "test.r_mean": 50.0 + seed},
                   forget={**SPEC, "step": step},
                   directions={"forget.r_mean": "retrain", "test.r_mean": "higher"})
               for (method, step), values in FORGET.items() for seed in range(3)]
    records += [rec("ga", 0, {"forget.r_mean": 1.0, "test.r_mean": 1.0})]  # another spec: not in the view
    return records


def test_one_view_per_sequential_spec_with_each_steps_cells(sequential):
    tables = build_tables(records_frame(sequential))
    (view,) = step_views(tables)
    assert view.steps == [1, 2] and view.metric == "forget.r_mean"
    assert "sequential" in view.title and "step=" not in view.title
    assert set(view.rows) == {"original", "retrain", "ga"}
    (score1, gap1), (score2, gap2) = view.rows["ga"]
    assert score1.mean == pytest.approx(71.0) and score2.mean == pytest.approx(66.0)
    assert gap1.mean == pytest.approx(9.0) and gap2.mean == pytest.approx(6.0)  # paired by seed
    assert view.rows["retrain"][1][1].mean == 0.0


def test_a_row_missing_a_step_shows_a_dash(sequential):
    records = [r for r in sequential if not (r.method == "ga" and r.cell["forget"].get("step") == 2)]
    (view,) = step_views(build_tables(records_frame(records)))
    assert view.rows["ga"][1] is None
    assert "| ga " in render_markdown(build_tables(records_frame(records)))


def test_markdown_and_site_show_the_view(sequential, tmp_path):
    tables = build_tables(records_frame(sequential))
    text = render_markdown(tables)
    assert "per request" in text and "after request 2" in text
    assert "| 66.0 ± 0.0 (gap 6.0 ± 5.0)  |" in text
    index = write_site(tables, tmp_path / "site")
    html = index.read_text()
    assert 'id="steps-1"' in html and "after request 1" in html
    assert (index.parent / "steps-1.png").read_bytes().startswith(b"\x89PNG")


def test_no_sequential_tables_no_view(grid):
    assert step_views(build_tables(records_frame(grid))) == []
