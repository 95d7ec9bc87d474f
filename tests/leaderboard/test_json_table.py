import json

import pytest

from leaderboard import RENDERERS, SCHEMA, build_tables, render_json
from leaderboard.table import GAP_METRIC


def test_round_trip_matches_table_model(grid):
    tables = build_tables(grid)
    doc = json.loads(render_json(tables))
    assert doc["schema"] == SCHEMA == "unlearnbench.leaderboard/1"
    (table,) = doc["tables"]
    assert table["task"] == "toy"
    assert [c["metric"] for c in table["columns"]] == [c.metric for c in tables[0].columns]
    assert set(table["columns"][0]) == {"metric", "header", "direction", "group"}
    assert [r["method"] for r in table["rows"]] == ["original", "retrain", "neggrad", "scrub"]
    scrub = table["rows"][3]
    assert (scrub["n_seeds"], scrub["n_failed"], scrub["flags"]) == (3, 1, [])
    model = tables[0].rows[3].cells[GAP_METRIC]
    assert scrub["cells"][GAP_METRIC] == {"mean": pytest.approx(model.mean),
                                          "ci95": pytest.approx(model.half_width), "n": 3}
    assert table["notes"] == tables[0].notes


def test_nan_is_written_as_null(rec):
    records = [rec("m", 0, {"auc.df_vs_dr": float("nan"), "test.r_mean": 50.0}),
               rec("m", 1, {"auc.df_vs_dr": float("nan"), "test.r_mean": float("inf")})]
    text = render_json(build_tables(records))
    assert ": NaN" not in text and "Infinity" not in text
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    cells = doc["tables"][0]["rows"][0]["cells"]
    assert cells["auc.df_vs_dr"] == {"mean": None, "ci95": None, "n": 0}
    assert cells["test.r_mean"]["mean"] is None  # inf is not a JSON number either


def test_single_seed_has_null_interval(rec):
    doc = json.loads(render_json(build_tables([rec("m", 0, {"test.r_mean": 50.0})])))
    assert doc["tables"][0]["rows"][0]["cells"]["test.r_mean"] == {"mean": 50.0, "ci95": None, "n": 1}


def test_hostile_strings_survive_verbatim(rec):
    name = 'a|b`<script>`"\\'
    doc = json.loads(render_json(build_tables([rec(name, 0, {"test.r_mean": 1.0})])))
    assert doc["tables"][0]["rows"][0]["method"] == name


def test_empty_and_registry():
    assert json.loads(render_json([])) == {"schema": SCHEMA, "tables": []}
    assert RENDERERS["json"] is render_json
