"""Flickr30K and COCO with five captions per image, end to end on the tiny fixtures: items
grouped by image, ``image`` forgetting of whole images, images decoded from their files, and
the real fine-tuning, unlearning and multi-caption evaluation with CLIP and with BLIP."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from bench import ForgetSpec
from bench.registry import METHODS
from bench.smoke import CPU, Setting
from tasks.real.coco import Coco
from tasks.real.flickr30k import Flickr30k
from tasks.real.images import ImagePreprocessor

SMALL = dict(n_images=30, epochs=8, batch_size=32, lr=3e-3, max_text_tokens=16, eval_draws=2, unlearn_batch_size=32)
IMAGE_FORGET = ForgetSpec(kind="image", fraction=0.2)


@pytest.fixture(scope="module")
def flickr(data_root, cache_dir):
    task = Flickr30k(data_dir=str(data_root), backbone_dir="models/tiny-clip", **SMALL)
    task.prepare(cache_dir)
    return task


def test_five_captions_per_image_in_file_order(flickr, data_root):
    entries = json.loads((data_root / "flickr30k" / "dataset_flickr30k.json").read_text())["images"]
    assert len(flickr) == 5 * 30 and len(entries) > 30
    assert flickr.items().texts[5:10] == [s["raw"] for s in entries[1]["sentences"][:5]]
    assert np.array_equal(np.bincount(flickr.item_groups()), np.full(30, 5))


def test_no_image_crosses_splits_and_image_forgetting_takes_all_its_captions(flickr):
    s = flickr.splits(0, IMAGE_FORGET)
    groups = flickr.item_groups()
    parts = [set(groups[p]) for p in (s.train, s.val, s.test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    forgotten = set(groups[s.forget])
    assert len(s.forget) == 5 * len(forgotten) and not forgotten & set(groups[s.retain])


def test_batches_decode_each_image_from_its_file(flickr, data_root):
    batch = flickr.pair_batch([0, 1, 5], [0, 1, 5])
    assert batch["a"].shape == (3, 3, 32, 32)
    torch.testing.assert_close(batch["a"][0], batch["a"][1])  # two captions of one image
    direct = ImagePreprocessor.from_dir(data_root / "models" / "tiny-clip").load(flickr.items().paths[1])
    torch.testing.assert_close(batch["a"][2], direct)


def test_preprocessing_resizes_the_short_edge_then_crops_the_centre(tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (64, 32), (255, 0, 0)).save(path)
    pre = ImagePreprocessor({"shortest_edge": 16}, {"height": 16, "width": 16}, [0.5] * 3, [0.5] * 3, 3)
    pixels = pre.load(path)
    assert pixels.shape == (3, 16, 16)
    torch.testing.assert_close(pixels[:, 8, 8], torch.tensor([1.0, -1.0, -1.0]))


def _unlearned(task, method: str, forget: ForgetSpec):
    splits = task.splits(0, forget)
    recipe = task.recipe(0)
    original = recipe.train(recipe.initial_model(), splits.train, CPU)
    setting = Setting(task, splits, original)
    return setting, METHODS.get(method)().unlearn(setting.model(), setting.request())


@pytest.mark.parametrize("method", ["finetune", "multidelete"])
def test_clip_trains_unlearns_and_is_evaluated_end_to_end(flickr, method):
    setting, unlearned = _unlearned(flickr, method, IMAGE_FORGET)
    before = flickr.evaluate(setting.original, setting.splits, CPU, seed=0)
    after = flickr.evaluate(unlearned, setting.splits, CPU, seed=0)
    assert set(before) == set(after) == set(flickr.metric_directions())
    assert before["eval.gallery_images"] == len(set(flickr.item_groups()[setting.splits.test]))
    assert before["forget.r_mean"] > before["test.r_mean"]  # the original memorized its training pairs
    assert after["forget.r_mean"] != before["forget.r_mean"]


def test_blip_backbone_trains_unlearns_and_is_evaluated_end_to_end(data_root, cache_dir):
    task = Coco(data_dir=str(data_root), backbone="blip", backbone_dir="models/tiny-blip", **SMALL)
    task.prepare(cache_dir)
    setting, unlearned = _unlearned(task, "neggrad_plus", IMAGE_FORGET)
    assert type(unlearned).__name__ == "BlipPairModel"
    metrics = task.evaluate(unlearned, setting.splits, CPU, seed=0)
    assert set(metrics) == set(task.metric_directions())
    assert all(0 <= v <= 100 for v in metrics.values())
