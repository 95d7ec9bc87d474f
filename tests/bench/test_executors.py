"""Executors: JSON payloads, the local process pool (failures, hard limits, device pinning),
crash-safe resume after ``kill -9`` of the driver, and ``run --dry-run``."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bench.cli import main
from bench.executors.local import LocalExecutor
from bench.executors.payload import cell_payload, payload_cell
from bench.method_file import load_method_file
from bench.registry import METHODS
from bench.runner import Runner
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from bench.store import Store
from tasks.emoji_retrieval import EmojiRetrieval

MISBEHAVING = str(Path(__file__).with_name("misbehaving_methods.py"))


@pytest.fixture(autouse=True)
def _registry_left_as_found(monkeypatch):
    """Loading the method file registers its methods; undo that after each test, so that no
    other test sees them in the global registry."""
    monkeypatch.setattr(METHODS, "_entries", dict(METHODS._entries))
    monkeypatch.setattr("bench.method_file._loaded", {})
TINY_SUITE = f"""
name: tiny
tasks: {{emoji_retrieval: {json.dumps(EmojiRetrieval.smoke_params)}}}
methods: [grad_ascent, finetune]
forget: {{fraction: 0.2}}
seeds: [0]
budget_s: 600
"""


def _cell(method: str, budget_s: float = 600.0) -> CellSpec:
    load_method_file(MISBEHAVING)
    cell = CellSpec.make("emoji_retrieval", EmojiRetrieval.smoke_params, method, METHODS.get(method)().get_params(),
                         ForgetSpec(fraction=0.2), 0, [], budget_s)
    return replace(cell, method_file=MISBEHAVING if method in load_method_file(MISBEHAVING) else None)


def test_a_cell_survives_its_json_payload():
    cell = _cell("raises", budget_s=12.5)
    back = payload_cell(json.loads(json.dumps(cell_payload(cell, Path("/c"), 40.0))))
    assert back == cell and back.cell_id == cell.cell_id
    assert (back.budget_s, back.method_file) == (12.5, MISBEHAVING)


def test_local_pool_fails_each_misbehaving_cell_and_finishes_the_rest(tmp_path, cache_dir, monkeypatch):
    """Two worker slots pinned to fake devices 0 and 1: a raising, a NaN, a killed and an
    oversleeping method each fail with their reason, the good cells finish, and no two jobs
    ever shared a slot's device at once."""
    monkeypatch.setattr("bench.runner.grace_s", lambda budget: 0.0)
    executor = LocalExecutor([{"CUDA_VISIBLE_DEVICES": str(d), "OMP_NUM_THREADS": "1"} for d in (0, 1)])
    cells = [_cell("grad_ascent"), _cell("raises"), _cell("nan_weights"), _cell("dies"),
             _cell("oversleeps", budget_s=2.0)]
    store = Store(tmp_path)
    started = time.monotonic()
    summary = Runner(store, cache_dir, executor).run(cells)
    assert time.monotonic() - started < 300  # the oversleeping method was stopped, not waited for
    records = {r.method: r for r in store.records()}
    assert records["original"].status == "ok" and records["grad_ascent"].status == "ok"
    assert "RuntimeError: kaboom" in records["raises"].error
    assert "non-finite weights" in records["nan_weights"].error
    assert "worker process died (signal SIGKILL)" in records["dies"].error
    assert "terminated by the executor" in records["oversleeps"].error
    assert (summary.ok, summary.failed, summary.workers) == (2, 4, 2)
    assert summary.trained.get("original", 0) <= 1  # prepared once, never per cell
    spans = sorted((r.manifest["executor"]["env"]["CUDA_VISIBLE_DEVICES"], r.manifest["executor"]["started"],
                    r.manifest["executor"]["finished"]) for r in records.values())
    assert {device for device, _, _ in spans} == {"0", "1"}
    for (device, _, end), (next_device, next_start, _) in zip(spans, spans[1:]):
        assert device != next_device or end <= next_start
    assert records["grad_ascent"].manifest["hardware"]["torch_threads"] == 1


def test_cpu_workers_divide_the_threads():
    assert [s["OMP_NUM_THREADS"] for s in LocalExecutor.for_device("cpu", 2, 2).slots] == ["1", "1"]
    assert [s["OMP_NUM_THREADS"] for s in LocalExecutor.for_device("cpu", 3, 8).slots] == ["2", "2", "2"]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.cli", "run", *args]


def _rows(results: Path) -> dict[str, tuple]:
    with sqlite3.connect(results / "results.sqlite") as db:
        rows = db.execute("SELECT cell_id, status, metrics, written_at FROM records").fetchall()
    assert len(rows) == len({r[0] for r in rows})
    return {cell_id: (status, json.loads(metrics), written) for cell_id, status, metrics, written in rows}


def _scores(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not k.startswith("cost.")}  # timings differ


def test_a_driver_killed_mid_grid_resumes_without_lost_or_duplicated_cells(tmp_path, capsys):
    suite = tmp_path / "tiny.yaml"
    suite.write_text(TINY_SUITE)
    common = ["--suite", str(suite), "--cache", str(tmp_path / "cache")]
    assert main(["run", *common, "--results", str(tmp_path / "whole")]) == 0  # inline, uninterrupted
    whole = _rows(tmp_path / "whole")

    crashed = tmp_path / "crashed"
    assert main(["run", *common, "--results", str(crashed), "--dry-run"]) == 0
    assert "0 done, 3 to run (dry run: nothing written)" in capsys.readouterr().out
    assert not crashed.exists()
    local = ["--executor", "local", "--workers", "2", "--results", str(crashed)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    driver = subprocess.Popen(_cli(*common, *local), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (crashed / "results.sqlite").exists() or not _rows(crashed):
        assert driver.poll() is None, "the run ended before it could be killed"
        time.sleep(0.2)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    before = _rows(crashed)
    assert 0 < len(before) < len(whole)

    assert main(["run", *common, "--results", str(crashed), "--dry-run"]) == 0
    assert f"{len(before)} done, {3 - len(before)} to run" in capsys.readouterr().out
    subprocess.run(_cli(*common, *local), env=env, check=True, capture_output=True)
    after = _rows(crashed)
    assert after.keys() == whole.keys()
    assert all(after[cell_id] == row for cell_id, row in before.items())  # stored once, not rerun
    for cell_id, (status, metrics, _) in after.items():
        assert status == whole[cell_id][0] == "ok"
        assert _scores(metrics) == _scores(whole[cell_id][1])  # inline and local agree exactly
