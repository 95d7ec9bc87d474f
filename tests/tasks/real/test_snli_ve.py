"""SNLI-VE on the tiny fixture: hypotheses grouped by their Flickr30K image, three classes,
labels of re-paired items, layout errors, and fine-tuning with the BLIP backbone's fused
representation end to end."""

import json
import shutil

import numpy as np
import pytest

from bench import ForgetSpec
from bench.errors import UserError
from bench.smoke import CPU
from tasks.real.smoke_data import write_smoke_data
from tasks.real.snli_ve import SnliVe


@pytest.fixture(scope="module")
def snli(data_root, cache_dir):
    write_smoke_data(data_root, "snli_ve")
    task = SnliVe(data_dir=str(data_root), n_items=90, backbone_dir="models/tiny-clip", epochs=2, batch_size=32)
    task.prepare(cache_dir)
    return task


def test_items_are_grouped_by_image_and_labelled_from_the_file(snli, data_root):
    first = json.loads((data_root / "snli_ve" / "snli_ve_train.jsonl").read_text().splitlines()[0])
    assert len(snli) == 90 and snli.items().texts[0] == first["sentence2"]
    assert snli.class_names[snli.item_labels()[0]] == first["gold_label"]
    assert snli.items().paths[snli.items().image_of[0]].name == f"{first['Flickr30K_ID']}.jpg"
    assert np.array_equal(snli.item_groups(), snli.items().image_of)


def test_class_forgetting_takes_every_pair_of_the_class(snli):
    s = snli.splits(0, ForgetSpec(kind="class", classes=(2,)))
    labels = snli.item_labels()
    assert set(labels[s.forget]) == {2} and 2 not in set(labels[s.retain])


def test_a_hypothesis_on_another_image_is_neutral(snli):
    groups, labels = snli.item_groups(), snli.item_labels()
    same = np.flatnonzero(groups == groups[0])[1]
    other = int(np.flatnonzero(groups != groups[0])[0])
    batch = snli.pair_batch([0, 0], [same, other])
    assert batch["label"].tolist() == [labels[same], snli.class_names.index("neutral")]


def test_a_bad_label_is_one_line_naming_the_layout(data_root, tmp_path):
    shutil.copytree(data_root / "snli_ve", tmp_path / "snli_ve")
    (tmp_path / "flickr30k").symlink_to(data_root / "flickr30k")
    path = tmp_path / "snli_ve" / "snli_ve_dev.jsonl"
    path.write_text(path.read_text().replace('"neutral"', '"maybe"', 1))
    with pytest.raises(UserError, match="is not SNLI-VE jsonl .*expected DATA_DIR/snli_ve/"):
        SnliVe(data_dir=str(tmp_path)).check([])


def test_blip_head_trains_and_is_evaluated_end_to_end(data_root, cache_dir):
    task = SnliVe(data_dir=str(data_root), n_items=90, backbone="blip", backbone_dir="models/tiny-blip",
                  epochs=2, batch_size=32)
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec(fraction=0.2))
    recipe = task.recipe(0)
    model = recipe.train(recipe.initial_model(), splits.train, CPU)
    assert model.n_classes == 3 and type(model.backbone).__name__ == "BlipPairModel"
    metrics = task.evaluate(model, splits, CPU, seed=0)
    assert set(metrics) == set(task.metric_directions()) and 0 <= metrics["test.acc"] <= 1
