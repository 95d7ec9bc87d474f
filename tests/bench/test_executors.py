"""Executors: JSON payloads, the local process pool (failures, hard limits, memory limits, device
pinning), crash-safe resume after ``kill -9`` of the driver mid-grid and mid-training of an
original, and ``run --dry-run``. Ray and Slurm: ``test_executors_ray.py``, ``test_executors_slurm.py``."""

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
import torch

from bench.cli import main
from bench.executors.base import PREPARE_GROUP, RUN_CELL, Job
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


pytestmark = pytest.mark.usefixtures("registry_left_as_found")
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
    """Two worker slots pinned to fake devices 0 and 1, each job under a 3 GB memory limit: a
    raising, a NaN, a killed, an oversleeping and a memory-exhausting method each fail with
    their reason, the good cells finish, no two jobs ever shared a slot's device at once, and
    every job had a process of its own."""
    monkeypatch.setattr("bench.runner.grace_s", lambda budget: 0.0)
    executor = LocalExecutor([{"CUDA_VISIBLE_DEVICES": str(d), "OMP_NUM_THREADS": "1"} for d in (0, 1)],
                             max_memory_mb=3072)
    cells = [_cell("grad_ascent"), _cell("raises"), _cell("nan_weights"), _cell("dies"),
             _cell("oversleeps", budget_s=2.0), _cell("hogs_memory")]
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
    assert records["hogs_memory"].error.startswith("out of memory under the 3072 MB limit (--max-memory-gb): ")
    assert "can't allocate memory" in records["hogs_memory"].error
    assert (summary.ok, summary.failed, summary.workers) == (2, 5, 2)
    assert summary.trained.get("original", 0) <= 1  # prepared once, never per cell
    spans = sorted((r.manifest["executor"]["env"]["CUDA_VISIBLE_DEVICES"], r.manifest["executor"]["started"],
                    r.manifest["executor"]["finished"]) for r in records.values())
    assert {device for device, _, _ in spans} == {"0", "1"}
    for (device, _, end), (next_device, next_start, _) in zip(spans, spans[1:]):
        assert device != next_device or end <= next_start
    assert records["grad_ascent"].manifest["hardware"]["torch_threads"] == 1
    # each job ran in a process of its own (forked by its slot's server, which outlived the dead ones)
    assert len({r.manifest["executor"]["pid"] for r in records.values()}) == len(records)


def test_a_kept_pool_forks_every_run_s_job_from_one_server_that_prepares_its_task_once(tmp_path):
    """A Ray slot: later runs' jobs are forked from the first's server (no second start), each
    in a process of its own, and the server prepares their task once (after a first child has,
    so the server starts no thread and can still fork); ``close`` ends it. A cache of its own:
    the first child writes it."""
    from bench.executors.local import threads_env

    cell, outcomes = _cell("finetune"), []
    pool = LocalExecutor([threads_env(1)], keep=True)
    for kind in (PREPARE_GROUP, RUN_CELL, RUN_CELL):
        pool.run([Job(kind, cell_payload(cell, tmp_path, 600.0))], lambda _, outcome: outcomes.append(outcome) or [])
    first, second, third = outcomes
    server = first.worker["server"]
    try:
        assert not first.error and second.result["record"]["status"] == third.result["record"]["status"] == "ok"
        assert second.worker["server"] == third.worker["server"] == server
        assert len({first.worker["pid"], second.worker["pid"], third.worker["pid"], server}) == 4
        # the first child prepared the task, the server then did for the second, the third inherited it
        assert first.result["data_s"] > 0 and second.result["data_s"] > 0 and third.result["data_s"] == 0
        assert psutil.Process(server).num_threads() == 1
    finally:
        pool.close()
    assert not _alive(server)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_warm_worker_serves_many_cells_and_agrees_with_inline(tmp_path, cache_dir, one_thread):
    """One warm slot: its process serves the group's preparation and cells in turn (a killed one
    is replaced for the next job), its records equal the inline run's, and each cell records its
    RSS growth rather than a process peak that includes earlier cells."""
    cells = [_cell("grad_ascent"), _cell("dies"), _cell("finetune")]
    store = Store(tmp_path / "warm")
    summary = Runner(store, cache_dir, LocalExecutor([{"OMP_NUM_THREADS": "1"}], warm=True)).run(cells)
    assert (summary.ok, summary.failed) == (3, 1)
    records = {r.method: r for r in store.records()}
    assert "worker process died (signal SIGKILL)" in records["dies"].error
    workers = {method: record.manifest["executor"] for method, record in records.items()}
    assert all(w["warm"] for w in workers.values())
    assert workers["original"]["pid"] == workers["grad_ascent"]["pid"] == workers["dies"]["pid"]
    assert (workers["grad_ascent"]["job_in_process"], workers["dies"]["job_in_process"]) == (3, 4)  # after prepare, original
    assert workers["finetune"]["pid"] != workers["dies"]["pid"] and workers["finetune"]["job_in_process"] == 1
    for method in ("grad_ascent", "finetune"):
        metrics = records[method].metrics
        assert "cost.peak_rss_mb" not in metrics and metrics["cost.peak_rss_delta_mb"] >= 0
        assert records[method].directions["cost.peak_rss_delta_mb"] == "lower"

    torch.set_num_threads(1)  # like the slot (`one_thread` restores this process's threads)
    inline = Store(tmp_path / "inline")
    Runner(inline, cache_dir).run([cells[0], cells[2]])
    for record in inline.records():
        assert _scores(record.metrics) == _scores(records[record.method].metrics)


def test_executor_flags_are_checked_before_anything_is_written(tmp_path, capsys):
    def error(*flags: str) -> str:
        assert main(["run", "--suite", "quick", "--results", str(tmp_path / "r"), *flags]) == 2
        return capsys.readouterr().err

    assert "--workers 2: give a positive number, with --executor local" in error("--workers", "2")
    assert "which it cannot limit" in error("--max-memory-gb", "4")
    assert "give a positive number" in error("--executor", "local", "--max-memory-gb", "0")
    assert "--warm goes with --executor local" in error("--executor", "ray", "--warm")
    assert "--ray-address goes with --executor ray" in error("--executor", "local", "--ray-address", "auto")
    assert not (tmp_path / "r").exists()


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


def _rows_so_far(results: Path) -> dict[str, tuple]:
    """``_rows`` of a store another process is writing: none before it has its table."""
    try:
        return _rows(results) if (results / "results.sqlite").exists() else {}
    except sqlite3.OperationalError:  # created, its schema not yet committed
        return {}


def _scores(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not k.startswith("cost.")}  # timings differ


@pytest.fixture
def one_thread():
    """The uninterrupted runs below are inline, in this process, at one torch thread like each
    worker process: float sums reduce in a thread-dependent order, so only equal thread counts
    give bit-equal models. Restores this process's threads afterwards."""
    threads = torch.get_num_threads()
    yield ["--threads", "1"]
    torch.set_num_threads(threads)


def test_a_driver_killed_mid_grid_resumes_without_lost_or_duplicated_cells(tmp_path, capsys, one_thread):
    suite = tmp_path / "tiny.yaml"
    suite.write_text(TINY_SUITE)
    common = ["--suite", str(suite), "--cache", str(tmp_path / "cache")]
    assert main(["run", *common, *one_thread, "--results", str(tmp_path / "whole")]) == 0  # inline, uninterrupted
    whole = _rows(tmp_path / "whole")

    crashed = tmp_path / "crashed"
    assert main(["run", *common, "--results", str(crashed), "--dry-run"]) == 0
    assert "0 done, 3 to run (dry run: nothing written)" in capsys.readouterr().out
    assert not crashed.exists()
    local = ["--executor", "local", "--workers", "2", *one_thread, "--results", str(crashed)]  # 1 thread each
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    driver = subprocess.Popen(_cli(*common, *local), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not _rows_so_far(crashed):
        assert driver.poll() is None, "the run ended before it could be killed"
        time.sleep(0.2)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    before = _rows(crashed)
    assert 0 < len(before) < len(whole)

    assert main(["run", *common, "--results", str(crashed), "--dry-run"]) == 0
    done = sum(status in ("ok", "flagged") for status, _, _ in before.values())
    assert f"{done} done, {3 - done} to run" in capsys.readouterr().out
    subprocess.run(_cli(*common, *local), env=env, check=True, capture_output=True)
    after = _rows(crashed)
    assert after.keys() == whole.keys()
    assert all(after[cell_id] == row for cell_id, row in before.items())  # stored once, not rerun
    for cell_id, (status, metrics, _) in after.items():
        assert status == whole[cell_id][0] == "ok"
        assert _scores(metrics) == _scores(whole[cell_id][1])  # inline and local agree exactly


def test_a_driver_killed_while_training_an_original_reruns_to_the_same_records(tmp_path, one_thread):
    """``kill -9`` of an inline driver while it holds the cache lock and trains the group's
    original; a damaged file is then planted where the model goes (as a writer without atomic
    renames would leave it). The rerun trains the model anew rather than trusting that file,
    and stores each cell once, with the metrics of an uninterrupted run in another cache."""
    suite = tmp_path / "tiny.yaml"
    suite.write_text(TINY_SUITE)
    assert main(["run", "--suite", str(suite), *one_thread, "--cache", str(tmp_path / "cache_whole"),
                 "--results", str(tmp_path / "whole")]) == 0
    whole = _rows(tmp_path / "whole")

    cache, crashed = tmp_path / "cache", tmp_path / "crashed"
    command = _cli("--suite", str(suite), *one_thread, "--cache", str(cache), "--results", str(crashed))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    driver = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in driver.stdout:
        if line.startswith("training original model"):
            break
    else:
        pytest.fail("the run ended before it trained its original")
    (lock,) = (cache / "models").glob("original-*.lock")
    with open(lock) as handle:  # the driver holds the model's lock while it trains
        with pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    model = lock.with_name(lock.name.removesuffix(".lock"))
    assert not model.exists()  # the training never finished: nothing under the model's name
    assert not crashed.exists() or not _rows(crashed)
    model.write_bytes(b"\x40\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\": {\"format\": ")  # truncated

    rerun = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    assert "training original model" in rerun.stdout  # rebuilt, not trusted
    after = _rows(crashed)
    assert after.keys() == whole.keys()
    for cell_id, (status, metrics, _) in after.items():
        assert status == whole[cell_id][0] == "ok"
        assert _scores(metrics) == _scores(whole[cell_id][1])
    with open(lock) as handle:  # released: the kernel dropped the killed driver's lock
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
