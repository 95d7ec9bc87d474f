"""The ``slurm`` executor: the whole pipeline through submitit's local executor (array tasks run
as processes here, write their JSON result files, the driver ingests them; a rerun ingests the
files of cells that finished after a driver died, instead of running them again), and the sbatch
array script it submits on a real cluster (a stand-in ``sbatch`` on PATH captures it). Skipped
where submitit is not installed (``pip install -e .[slurm]``; ``make test`` installs it)."""

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from bench.cli import main
from bench.executors.base import PREPARE_GROUP, RUN_CELL, Job
from bench.executors.inline import InlineExecutor
from bench.executors.payload import cell_payload
from bench.method_file import load_method_file
from bench.registry import METHODS
from bench.runner import Runner
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from bench.store import Store
from tasks.emoji_retrieval import EmojiRetrieval

submitit = pytest.importorskip("submitit")

from bench.executors.slurm_executor import SlurmExecutor, parse_options  # noqa: E402

MISBEHAVING = str(Path(__file__).with_name("misbehaving_methods.py"))


pytestmark = pytest.mark.usefixtures("registry_left_as_found")


def _cell(method: str) -> CellSpec:
    mine = load_method_file(MISBEHAVING)
    cell = CellSpec.make("emoji_retrieval", EmojiRetrieval.smoke_params, method, METHODS.get(method)().get_params(),
                         ForgetSpec(fraction=0.2), 0, [], 600.0)
    return replace(cell, method_file=MISBEHAVING if method in mine else None)


def _scores(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not k.startswith("cost.")}


def test_slurm_arrays_through_submitits_local_executor(tmp_path, cache_dir):
    cells = [_cell("grad_ascent"), _cell("dies")]
    folder = tmp_path / "slurm"
    options = {"cluster": "local", "array_parallelism": "2", "cpus": "1"}
    store = Store(tmp_path / "slurm_store")
    summary = Runner(store, cache_dir, SlurmExecutor(folder, options)).run(cells)
    records = {r.cell_id: r for r in store.records()}
    assert (summary.ok, summary.failed, summary.workers) == (2, 1, 2)
    by_method = {r.method: r for r in records.values()}
    assert "worker process died (signal SIGKILL)" in by_method["dies"].error
    assert by_method["grad_ascent"].manifest["executor"]["name"] == "slurm"
    assert by_method["grad_ascent"].manifest["executor"]["env"]["OMP_NUM_THREADS"] == "1"
    results = sorted(p.name for p in (folder / "results").iterdir())
    assert len(results) == 4 and all(name.endswith(".json") for name in results)  # prepare + 3 cells

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # like each array task's job process: bit-equal floats
    try:
        inline = Store(tmp_path / "inline")
        Runner(inline, cache_dir, InlineExecutor()).run(cells[:1])  # not `dies`: it kills its process
    finally:
        torch.set_num_threads(threads)
    for record in inline.records():
        assert records[record.cell_id].status == record.status
        assert _scores(records[record.cell_id].metrics) == _scores(record.metrics)

    # A rerun into a fresh store (as after a driver killed while its arrays ran on): the ok
    # cells' result files are ingested, not run again; the failed one runs again.
    logs_before = set((folder / "logs").iterdir())
    again = Store(tmp_path / "again")
    summary = Runner(again, cache_dir, SlurmExecutor(folder, options)).run(cells)
    assert (summary.ok, summary.failed) == (2, 1)
    assert len(set((folder / "logs").iterdir()) - logs_before) == 2  # prepare_group and `dies` only
    for record in again.records():
        assert record.metrics == records[record.cell_id].metrics


STAND_IN_SBATCH = """#!/bin/sh
cp "$1" "{capture}"
echo "Submitted batch job 4242"
"""


def test_the_sbatch_array_script(tmp_path, monkeypatch):
    """What a Slurm cluster would receive: one ``sbatch --array`` for the ready jobs, with the
    partition, account, GPUs, CPUs, time, memory and parallelism asked for, running submitit's
    worker on the same Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    capture = tmp_path / "submitted.sh"
    (bin_dir / "sbatch").write_text(STAND_IN_SBATCH.format(capture=capture))
    (bin_dir / "srun").write_text("#!/bin/sh\nexit 0\n")  # submitit checks that srun exists
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    options = parse_options(["partition=gpu", "account=unlearn", "gpus=1", "cpus=4", "time=90",
                             "mem_gb=32", "array_parallelism=8", "qos=high", "setup=module load cuda",
                             "mail-type=END"])
    executor = SlurmExecutor(tmp_path / "slurm", options, max_memory_mb=30000)
    cells = [_cell(m) for m in ("grad_ascent", "finetune", "random_label")]
    jobs = [Job(RUN_CELL, cell_payload(cell, tmp_path / "cache", 660.0), cell) for cell in cells]
    submitted = executor.submit(jobs)

    script = capture.read_text()
    flags = dict(re.findall(r"^#SBATCH --([\w-]+)=(.*)$", script, re.M))
    assert flags["array"] == "0-2%3"  # one array of the three ready jobs
    assert (flags["partition"], flags["account"], flags["qos"]) == ("gpu", "unlearn", "high")
    assert (flags["gpus-per-node"], flags["cpus-per-task"], flags["time"], flags["mem"]) == ("1", "4", "90", "32GB")
    assert flags["mail-type"] == "END"  # an option of no meaning here goes to sbatch as it is
    assert flags["job-name"] == "unlearnbench"
    assert "module load cuda" in script and "-m submitit.core._submit" in script
    assert [handle.job_id for _, handle, _ in submitted] == ["4242_0", "4242_1", "4242_2"]
    for (job, _, result_path), cell in zip(submitted, cells):
        spec = json.loads((tmp_path / "slurm" / "jobs" / result_path.name).read_text())
        assert spec["payload"]["cell"]["method"] == cell.method
        assert spec["env"]["OMP_NUM_THREADS"] == "4" and spec["max_memory_mb"] == 30000
        assert not result_path.exists()

    # Without a time option, an array's limit is its largest cell hard limit plus an hour.
    del options["time"]
    executor = SlurmExecutor(tmp_path / "slurm", options)
    executor.submit([Job(PREPARE_GROUP, cell_payload(cells[0], tmp_path / "cache", 3000.0), cells)])
    assert re.search(r"^#SBATCH --time=110$", capture.read_text(), re.M)  # 50 + 60 minutes
    assert "--array" not in capture.read_text()  # a single job is no array


def test_slurm_flags_are_checked_before_anything_runs(tmp_path, capsys):
    def run(*flags: str) -> str:
        assert main(["run", "--suite", "quick", "--results", str(tmp_path / "r"), *flags]) == 2
        return capsys.readouterr().err

    assert "give KEY=VALUE" in run("--executor", "slurm", "--slurm-option", "partition")
    assert "whole number" in run("--executor", "slurm", "--slurm-option", "time=1h")
    assert "goes with --executor slurm" in run("--slurm-option", "partition=gpu")
    assert "not a Slurm login node" in run("--executor", "slurm")  # no sbatch on this machine's PATH
    assert not (tmp_path / "r").exists()
