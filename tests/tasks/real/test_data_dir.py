"""The data dir reaches the tasks that read the user's disk from ``--data-dir`` or a suite's
``data_dir:``, travels with each cell to whichever process runs it, and stays out of the cell
id; a whole run through the command line on the tiny Flickr30K fixture."""

import pytest
import yaml

from bench.cli import main
from bench.errors import UserError
from bench.executors.payload import cell_payload, payload_cell
from bench.store import Store
from bench.suite import expand, parse_suite

TINY = dict(n_images=20, epochs=6, batch_size=16, lr=3e-3, max_text_tokens=16, eval_draws=2,
            unlearn_batch_size=16, backbone_dir="models/tiny-clip")
RAW = {"name": "real", "tasks": {"flickr30k": TINY}, "methods": {"retrain": {}, "finetune": {"epochs": 1}},
       "forget": {"kind": "image", "fraction": 0.2}, "seeds": [0], "attacks": []}


def test_cells_carry_the_data_dir_outside_their_id(data_root, tmp_path):
    elsewhere = tmp_path / "moved"
    elsewhere.symlink_to(data_root)
    here = expand(parse_suite({**RAW, "data_dir": str(data_root)}, "suite"))
    there = expand(parse_suite({**RAW, "data_dir": str(elsewhere)}, "suite"))
    assert [c.cell_id for c in here] == [c.cell_id for c in there]
    assert {c.data_dir for c in here} == {str(data_root)} and "data_dir" not in here[0].to_dict()["task_params"]
    assert payload_cell(cell_payload(here[0], tmp_path, 60.0)).data_dir == str(data_root)
    assert here[0].reference().data_dir == str(data_root)


def test_a_task_may_name_its_own_data_dir(data_root):
    cells = expand(parse_suite({**RAW, "tasks": {"flickr30k": {**TINY, "data_dir": str(data_root)}}}, "suite"))
    assert cells[0].data_dir == str(data_root)


def test_a_data_dir_that_is_not_a_path_is_one_line():
    with pytest.raises(UserError, match="data_dir must be a directory path"):
        parse_suite({**RAW, "data_dir": 3}, "suite")


def test_a_run_through_the_command_line(data_root, tmp_path):
    suite = tmp_path / "real.yaml"
    suite.write_text(yaml.safe_dump(RAW))
    results = tmp_path / "results"
    args = ["run", "--suite", str(suite), "--results", str(results), "--data-dir", str(data_root)]
    assert main(args) == 0
    records = Store(results, create=False).records()
    assert sorted(r.method for r in records) == ["finetune", "original", "retrain"]
    for record in records:
        assert record.status == "ok", record.error
        assert 0 <= record.metrics["forget.r_mean"] <= 100 and record.metrics["eval.gallery_images"] >= 1
