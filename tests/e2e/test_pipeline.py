"""The whole path at tiny size: suite -> runner -> store -> leaderboard, through the CLI."""

import json

import pytest
import yaml

from bench.cli import main
from bench.registry import TASKS
from bench.store import Store

TINY_SUITE = {
    "name": "tiny",
    "tasks": {name: dict(TASKS.get(name).smoke_params) for name in TASKS.names()},
    "methods": {"retrain": {}, "finetune": {"epochs": 1}, "grad_ascent": {"epochs": 1},
                "multidelete": {"epochs": 2}},
    "forget": {"kind": "random", "fraction": 0.2},
    "seeds": [0],
    "attacks": ["df_dr_auc", "mia_loss"],
    "budget_s": 600,
}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, cache_dir):
    root = tmp_path_factory.mktemp("run")
    suite = root / "tiny.yaml"
    # Tasks that read the user's disk get their tiny dataset (Task.smoke_data) and its data_dir.
    tasks = {name: {**params, **TASKS.get(name).smoke_data(root / "smoke_data")}
             for name, params in TINY_SUITE["tasks"].items()}
    suite.write_text(yaml.safe_dump({**TINY_SUITE, "tasks": tasks}))
    results = root / "results"
    args = ["run", "--suite", str(suite), "--results", str(results), "--cache", str(cache_dir)]
    assert main(args) == 0
    return suite, results, args


def test_every_cell_has_an_ok_record_with_the_named_metrics(finished_run):
    _, results, _ = finished_run
    records = Store(results, create=False).records()
    assert sorted({(r.task, r.method) for r in records}) == sorted(
        (t, m) for t in TINY_SUITE["tasks"] for m in ["original", *TINY_SUITE["methods"]])
    for r in records:
        assert r.status == "ok", r.error
        score = "r_mean" if "test.r_mean" in r.metrics else "acc"  # retrieval, or classification
        for name in (f"forget.{score}", f"test.{score}", f"retain.{score}", "auc.df_vs_dr", "mia.loss_auc"):
            assert 0 <= r.metrics[name] <= 100
            assert r.directions[name] in ("higher", "lower", "retrain")
        assert r.manifest["forget_split"] and r.manifest["hardware"]["torch_threads"] >= 1
        if r.method != "original":
            assert r.metrics["cost.unlearn_s"] > 0 and r.metrics["cost.peak_rss_mb"] > 0


def test_rerun_skips_completed_cells(finished_run, capsys, tmp_path):
    _, results, args = finished_run
    before = {r.cell_id: r.manifest["timings"]["cell_s"] for r in Store(results, create=False).records()}
    assert main([*args, "--summary", str(tmp_path / "summary.json")]) == 0
    assert f"0 ok, 0 failed, 0 flagged, {len(before)} already complete" in capsys.readouterr().out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["ok"], summary["skipped"], summary["trained"], summary["workers"]) == (0, len(before), {}, 1)
    assert summary["wall_s"] > 0 and 0 <= summary["harness_share"] <= 1
    after = {r.cell_id: r.manifest["timings"]["cell_s"] for r in Store(results, create=False).records()}
    assert before == after


def test_leaderboard_markdown_and_json(finished_run, tmp_path):
    _, results, _ = finished_run
    md, js = tmp_path / "lb.md", tmp_path / "lb.json"
    assert main(["leaderboard", "--results", str(results), "--format", "md", "--out", str(md)]) == 0
    assert main(["leaderboard", "--results", str(results), "--format", "json", "--out", str(js)]) == 0
    text = md.read_text()
    for name in ("emoji_retrieval", "molecule_retrieval", "original", "multidelete", "grad_ascent"):
        assert name.replace("_", "\\_") in text or name in text
    tables = json.loads(js.read_text())["tables"]
    assert {t["task"] for t in tables} == set(TINY_SUITE["tasks"])
    assert [row["method"] for row in tables[0]["rows"]][:2] == ["original", "retrain"]
