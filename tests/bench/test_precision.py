"""Precision (``bench.precision``): ``run --precision bf16`` or a suite's ``precision: bf16``
puts the cell (and its group's models) at bf16 autocast under another cell id than fp32; a
value that is not a precision is one line, exit code 2, nothing written."""

import pytest
import torch
import yaml

from bench.cli import main
from bench.precision import autocast
from bench.registry import TASKS
from bench.store import Store
from bench.suite import expand, parse_suite

RAW = {"tasks": {"emoji_retrieval": {}}, "methods": ["finetune"]}


def test_precision_is_part_of_the_cell_id_and_of_the_group():
    (fp32,) = expand(parse_suite(RAW, "suite"))
    (bf16,) = expand(parse_suite(RAW, "suite"), precision="bf16")
    (from_suite,) = expand(parse_suite({**RAW, "precision": "bf16"}, "suite"))
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16") and from_suite == bf16
    assert fp32.cell_id != bf16.cell_id and fp32.group_key() != bf16.group_key()
    (overridden,) = expand(parse_suite({**RAW, "precision": "bf16"}, "suite"), precision="fp32")
    assert overridden == fp32


def test_bf16_autocast_lowers_matmuls_and_fp32_leaves_them():
    layer, x = torch.nn.Linear(4, 4), torch.randn(2, 4)
    with autocast("bf16", "cpu"):
        assert layer(x).dtype == torch.bfloat16
    with autocast("fp32", torch.device("cpu")):
        assert layer(x).dtype == torch.float32
    assert layer.weight.dtype == torch.float32


@pytest.mark.parametrize("where", ["flag", "suite"])
def test_an_unknown_precision_is_one_line_exit_2(where, tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    suite.write_text(yaml.safe_dump({**RAW, **({"precision": "fp16"} if where == "suite" else {})}))
    flag = ["--precision", "fp16"] if where == "flag" else []
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "res"), *flag]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'fp16' is not a supported precision; use one of fp32, bf16" in err
    assert not (tmp_path / "res").exists()


def test_a_bf16_cell_runs_and_records_its_precision(tmp_path):
    task = TASKS.get("flickr30k")  # the tiny real-data fixture: the fastest task to train
    params = {**task.smoke_params, "epochs": 2, **task.smoke_data(tmp_path / "data")}
    suite = tmp_path / "s.yaml"
    suite.write_text(yaml.safe_dump({"tasks": {"flickr30k": params}, "methods": {"finetune": {"epochs": 1}},
                                     "attacks": ["mia_loss"]}))
    results = tmp_path / "results"
    for precision in ("bf16", "fp32"):
        assert main(["run", "--suite", str(suite), "--results", str(results), "--precision", precision]) == 0
    records = {(r.method, r.cell["precision"]): r for r in Store(results, create=False).records()}
    assert set(records) == {(m, p) for m in ("original", "finetune") for p in ("bf16", "fp32")}
    assert records["finetune", "bf16"].cell_id != records["finetune", "fp32"].cell_id
    for record in records.values():
        assert record.status == "ok", record.error
        assert 0 <= record.metrics["test.r_mean"] <= 100 and 0 <= record.metrics["mia.loss_auc"] <= 1
    # bf16 really ran: the original trained under autocast differs from the fp32 one.
    measured = ("test.r_mean", "retain.r_mean", "forget.r_mean", "mia.loss_auc")
    assert any(records["original", "bf16"].metrics[m] != records["original", "fp32"].metrics[m] for m in measured)
