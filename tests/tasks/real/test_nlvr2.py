"""NLVR2 on the tiny fixture: each statement with its two images, grouped by image pair, read
from the train (with image directories), dev and test1 files; a missing image is one line."""

import json
import shutil

import numpy as np
import pytest

from bench import ForgetSpec
from bench.errors import UserError
from bench.smoke import CPU
from tasks.real.nlvr2 import Nlvr2
from tasks.real.smoke_data import write_smoke_data


@pytest.fixture(scope="module")
def nlvr2(data_root, cache_dir):
    write_smoke_data(data_root, "nlvr2")
    task = Nlvr2(data_dir=str(data_root), backbone_dir="models/tiny-clip", epochs=1, batch_size=16)
    task.prepare(cache_dir)
    return task


def test_statements_come_with_both_images_of_their_pair(nlvr2, data_root):
    first = json.loads((data_root / "nlvr2" / "train.json").read_text().splitlines()[0])
    items = nlvr2.items()
    left, right = (items.paths[j] for j in items.image_of[0])
    assert (left.name, right.name) == ("train-0-0-img0.png", "train-0-0-img1.png")
    assert left.parent == data_root / "nlvr2" / "images" / "train" / str(first["directory"])
    assert items.texts[0] == first["sentence"] and nlvr2.class_names[items.labels[0]] == first["label"]
    assert any(p.parent == data_root / "nlvr2" / "images" / "dev" for p in items.paths)
    assert np.array_equal(items.groups, items.image_of[:, 0] // 2)


def test_a_batch_holds_two_images_per_item_and_the_model_reads_both(nlvr2):
    batch = nlvr2.pair_batch([0, 1, 2], [0, 1, 2])
    assert batch["a"].shape == (3, 2, 3, 32, 32)
    model = nlvr2.recipe(0).initial_model()
    assert model.outputs(batch).shape == (3, 2)
    swapped = {**batch, "a": batch["a"].flip(1)}  # left and right images exchanged
    assert not np.allclose(model.outputs(batch).detach(), model.outputs(swapped).detach())
    assert set(nlvr2.evaluate(model, nlvr2.splits(0, ForgetSpec()), CPU, 0)) == \
        set(nlvr2.metric_directions())


def test_a_missing_image_is_one_line_naming_the_layout(data_root, tmp_path):
    shutil.copytree(data_root / "nlvr2", tmp_path / "nlvr2")
    (tmp_path / "nlvr2" / "images" / "dev" / "dev-1-0-img1.png").unlink()
    with pytest.raises(UserError, match=r"1 of \d+ image files are missing .*img\{0,1\}\.png"):
        Nlvr2(data_dir=str(tmp_path)).check([])
