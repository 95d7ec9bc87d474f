"""The ``ray`` executor on a local Ray with two fake GPUs (``ray.init(num_cpus=2, num_gpus=2)``):
each slot asks for one, so Ray pins it (``CUDA_VISIBLE_DEVICES``) and no two cells ever share a
device; records equal the inline run's, and a failing cell fails alone. One Ray session for the
module (its start costs seconds). Skipped where Ray is not installed (``pip install -e .[ray]``;
``make test`` installs it)."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from bench.executors.inline import InlineExecutor
from bench.method_file import load_method_file
from bench.registry import METHODS
from bench.runner import Runner
from bench.spec import CellSpec
from bench.splits import ForgetSpec
from bench.store import Store
from tasks.emoji_retrieval import EmojiRetrieval

ray = pytest.importorskip("ray")

MISBEHAVING = str(Path(__file__).with_name("misbehaving_methods.py"))


pytestmark = pytest.mark.usefixtures("registry_left_as_found")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def _cell(method: str) -> CellSpec:
    mine = load_method_file(MISBEHAVING)
    cell = CellSpec.make("emoji_retrieval", EmojiRetrieval.smoke_params, method, METHODS.get(method)().get_params(),
                         ForgetSpec(fraction=0.2), 0, [], 600.0)
    return replace(cell, method_file=MISBEHAVING if method in mine else None)


def _inline(cells, results: Path, cache_dir) -> dict:
    """The same cells inline, at one torch thread like each Ray job (bit-equal floats)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        store = Store(results)
        Runner(store, cache_dir, InlineExecutor()).run(cells)
        return {r.cell_id: r for r in store.records()}
    finally:
        torch.set_num_threads(threads)


def _scores(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not k.startswith("cost.")}


def test_ray_pins_one_fake_gpu_per_cell_and_agrees_with_inline(tmp_path, cache_dir, local_ray):
    from bench.executors.ray_executor import RayExecutor

    cells = [_cell("grad_ascent"), _cell("finetune"), _cell("raises")]
    executor = RayExecutor(num_cpus=1, num_gpus=1)  # joins the module's Ray; leaves it running
    assert executor.workers == 2  # two fake GPUs, one a cell
    store = Store(tmp_path / "ray")
    summary = Runner(store, cache_dir, executor).run(cells)
    assert ray.is_initialized()
    records = {r.cell_id: r for r in store.records()}
    assert (summary.ok, summary.failed, summary.workers) == (3, 1, 2)

    by_method = {r.method: r for r in records.values()}
    assert "RuntimeError: kaboom" in by_method["raises"].error
    spans = []
    for record in records.values():
        worker = record.manifest["executor"]
        assert worker["name"] == "ray" and worker["env"]["OMP_NUM_THREADS"] == "1"
        assert worker["gpu_ids"] == [worker["cuda_visible_devices"]] and worker["cuda_visible_devices"] in ("0", "1")
        spans.append((worker["cuda_visible_devices"], worker["started"], worker["finished"]))
    spans.sort()
    workers = [r.manifest["executor"] for r in records.values()]
    assert len({w["pid"] for w in workers}) == len(workers)  # a process of its own per cell,
    assert len({w["server"] for w in workers}) <= 2  # forked from its slot's server (one a GPU)
    for (device, _, end), (next_device, next_start, _) in zip(spans, spans[1:]):
        assert device != next_device or end <= next_start  # never two cells on one device at once

    inline = _inline(cells, tmp_path / "inline", cache_dir)
    assert inline.keys() == records.keys()
    for cell_id, record in records.items():
        assert record.status == inline[cell_id].status
        assert _scores(record.metrics) == _scores(inline[cell_id].metrics)


def test_a_slot_that_dies_fails_its_cell_and_is_replaced(tmp_path, cache_dir, local_ray):
    from bench.executors.ray_executor import RayExecutor

    cells = [_cell("kills_ray_slot"), _cell("grad_ascent"), _cell("finetune")]
    store = Store(tmp_path / "ray")
    summary = Runner(store, cache_dir, RayExecutor(num_cpus=1, num_gpus=1)).run(cells)
    by_method = {r.method: r for r in store.records()}
    assert (summary.ok, summary.failed) == (3, 1)
    assert by_method["kills_ray_slot"].error.startswith("Ray task failed")
    assert by_method["grad_ascent"].status == by_method["finetune"].status == "ok"
