"""A missing or malformed data layout is one line naming the expected layout, raised by
``Task.check`` before anything is written (and exit code 2 from the command line)."""

import json

import pytest
import yaml

import broken_layouts
from broken_layouts import layout_error
from bench.cli import main
from tasks.real.coco import Coco
from tasks.real.flickr30k import Flickr30k

LAYOUT = "dataset_flickr30k.json"


@pytest.fixture
def own_copy(data_root, tmp_path):
    return broken_layouts.own_copy(data_root, "flickr30k", tmp_path)


def test_no_data_dir_says_how_to_give_one_and_the_layout():
    message = layout_error(Flickr30k())
    assert "--data-dir" in message and LAYOUT in message


def test_a_data_dir_without_the_dataset_folder(tmp_path):
    message = layout_error(Coco(data_dir=str(tmp_path)))
    assert "is not a directory" in message and "dataset_coco.json" in message


def test_missing_annotation_file(own_copy):
    (own_copy / "flickr30k" / LAYOUT).unlink()
    assert "is missing" in layout_error(Flickr30k(data_dir=str(own_copy)))


@pytest.mark.parametrize("content", ["not json", json.dumps({"pictures": []}), json.dumps({"images": [{"x": 1}]})])
def test_malformed_annotation_file(own_copy, content):
    (own_copy / "flickr30k" / LAYOUT).write_text(content)
    message = layout_error(Flickr30k(data_dir=str(own_copy)))
    assert "is not a Karpathy-split JSON" in message and LAYOUT in message


def test_missing_image_file(own_copy):
    (own_copy / "flickr30k" / "flickr30k-images" / "1003.jpg").unlink()
    assert "1 of 60 image files are missing" in layout_error(Flickr30k(data_dir=str(own_copy)))


def test_too_few_captions_or_images(own_copy):
    assert "fewer than 6 captions" in layout_error(Flickr30k(data_dir=str(own_copy), captions_per_image=6))
    assert "n_images=100 but" in layout_error(Flickr30k(data_dir=str(own_copy), n_images=100))


def test_missing_backbone_files(own_copy):
    message = layout_error(Flickr30k(data_dir=str(own_copy), backbone_dir="models/absent"))
    assert "lacks config.json" in message and "openai/clip-vit-base-patch32" in message


def test_the_command_line_exits_2_before_writing_anything(tmp_path, capsys):
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"tasks": ["flickr30k"], "methods": ["finetune"]}))
    results = tmp_path / "results"
    code = main(["run", "--suite", str(suite), "--results", str(results), "--data-dir", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2 and not results.exists()
    assert err.count("\n") == 1 and LAYOUT in err
