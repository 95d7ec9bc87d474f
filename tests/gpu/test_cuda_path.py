"""The CUDA path end to end, on every registered task at its smoke size (marked ``gpu``: skipped
where torch sees no CUDA device, so `make test` on a CPU machine reports them as skipped).

A cell on ``--device cuda`` trains its original and reference there, unlearns, evaluates and
attacks there, and records the peak GPU memory of the unlearning call (allocated and reserved,
reset before it); the local executor gives each CUDA device one worker.
"""

import pytest
import torch
import yaml

from bench.cli import main
from bench.registry import TASKS
from bench.store import Store

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]

METHODS = {"finetune": {"epochs": 1}, "multidelete": {"epochs": 1}}


def _suite(tmp_path, name: str):
    task = TASKS.get(name)
    params = {**task.smoke_params, **task.smoke_data(tmp_path / "data")}
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({"tasks": {name: params}, "methods": METHODS, "seeds": [0],
                                    "forget": {"kind": "random", "fraction": 0.2},
                                    "attacks": ["mia_loss", "retention"]}))
    return path


@pytest.mark.parametrize("executor", ["inline", "local"])
@pytest.mark.parametrize("name", TASKS.names())
def test_a_cell_runs_on_cuda_and_records_its_gpu_memory(name, executor, tmp_path):
    results = tmp_path / "results"
    assert main(["run", "--suite", str(_suite(tmp_path, name)), "--device", "cuda", "--executor", executor,
                 "--results", str(results)]) == 0
    records = Store(results, create=False).records()
    assert {r.method for r in records} == {"original", *METHODS}
    for record in records:
        assert record.status == "ok", record.error
        assert record.cell["device"] == "cuda" and record.manifest["hardware"]["cuda"]
        if record.method in METHODS:
            allocated, reserved = (record.metrics[f"cost.peak_gpu_{kind}_mb"] for kind in ("alloc", "reserved"))
            assert 0 < allocated <= reserved
