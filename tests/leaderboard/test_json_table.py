import json

import pytest

from leaderboard import RENDERERS, SCHEMA, build_tables, render_json

GAP = "gap.forget.r_mean"


def test_round_trip_matches_table_model(grid):
    tables = build_tables(grid)
    doc = json.loads(render_json(tables))
    assert doc["schema"] == SCHEMA == "unlearnbench.leaderboard/3"
    (table,) = doc["tables"]
    assert table["task"] == "toy"
    assert table["task_params"] == {}
    assert table["forget"] == {"kind": "random", "fraction": 0.1, "count": None}
    assert table["title"] == "toy · forget random 10%"
    assert [c["metric"] for c in table["columns"]] == [c.metric for c in tables[0].columns]
    assert set(table["columns"][0]) == {"metric", "header", "direction", "group"}
    assert {c["direction"] for c in table["columns"]} == {"retrain", "higher", "lower", "info"}
    assert table["columns"][0] == {"metric": "composite", "header": "Score ↓",
                                   "direction": "lower", "group": "summary"}
    assert [r["method"] for r in table["rows"]] == ["original", "retrain", "scrub", "neggrad"]
    scrub = table["rows"][2]
    assert set(scrub) == {"method", "method_params", "label", "n_seeds", "n_failed", "rank",
                          "hardware", "flags", "cells"}
    assert (scrub["method_params"], scrub["label"], scrub["rank"]) == ({}, "scrub", 1)
    assert (scrub["n_seeds"], scrub["n_failed"], scrub["flags"]) == (3, 1, ["failed (1/4 seeds)"])
    assert scrub["hardware"] == [table["hardware"]] == ["CPU unknown, ? torch threads"]
    model = tables[0].rows[2].cells[GAP]
    assert scrub["cells"][GAP] == {"mean": pytest.approx(model.mean),
                                   "ci95": pytest.approx(model.half_width), "n": 3, "rank": 1}
    assert table["rows"][0]["cells"][GAP]["rank"] is None  # the original is not ranked
    assert table["notes"] == tables[0].notes


def test_params_and_labels_are_written(rec):
    records = [rec("m", 0, {"test.r_mean": 1.0}, method_params={"lr": 0.001, "steps": 5},
                   task_params={"epochs": e}) for e in (15, 5)]
    records.append(rec("m", 0, {"test.r_mean": 2.0}, method_params={"lr": 0.01, "steps": 5},
                       task_params={"epochs": 5}))
    doc = json.loads(render_json(build_tables(records)))
    assert [(t["task_params"], t["title"]) for t in doc["tables"]] == [
        ({"epochs": 5}, "toy (epochs=5) · forget random 10%"),
        ({"epochs": 15}, "toy (epochs=15) · forget random 10%")]
    assert [(r["method_params"], r["label"]) for r in doc["tables"][0]["rows"]] == [
        ({"lr": 0.001, "steps": 5}, "m (lr=0.001)"), ({"lr": 0.01, "steps": 5}, "m (lr=0.01)")]
    assert doc["tables"][1]["rows"][0]["label"] == "m"


def test_nan_is_written_as_null(rec):
    records = [rec("m", 0, {"auc.df_vs_dr": float("nan"), "test.r_mean": 50.0}),
               rec("m", 1, {"auc.df_vs_dr": float("nan"), "test.r_mean": float("inf")})]
    text = render_json(build_tables(records))
    assert ": NaN" not in text and "Infinity" not in text
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    cells = doc["tables"][0]["rows"][0]["cells"]
    assert cells["auc.df_vs_dr"] == {"mean": None, "ci95": None, "n": 0, "rank": None}
    assert cells["test.r_mean"]["mean"] is None  # inf is not a JSON number either


def test_single_seed_has_null_interval(rec):
    doc = json.loads(render_json(build_tables([rec("m", 0, {"test.r_mean": 50.0})])))
    assert doc["tables"][0]["rows"][0]["cells"]["test.r_mean"] == {
        "mean": 50.0, "ci95": None, "n": 1, "rank": 1}


def test_hostile_strings_survive_verbatim(rec):
    name = 'a|b`<script>`"\\'
    records = [rec(name, 0, {"test.r_mean": 1.0}, method_params={name: v}) for v in (1, 2)]
    doc = json.loads(render_json(build_tables(records)))
    assert doc["tables"][0]["rows"][0]["method"] == name
    assert doc["tables"][0]["rows"][0]["label"] == f"{name} ({name}=1)"


def test_empty_and_registry():
    assert json.loads(render_json([])) == {"schema": SCHEMA, "tables": []}
    assert RENDERERS["json"] is render_json
