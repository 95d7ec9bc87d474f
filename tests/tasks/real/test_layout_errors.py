"""A missing or malformed data layout is one line naming the expected layout, raised by
``Task.check`` before anything is written (and exit code 2 from the command line)."""

import json
import shutil

import pytest
import yaml

from bench.cli import main
from bench.errors import UserError
from tasks.real.coco import Coco
from tasks.real.flickr30k import Flickr30k

LAYOUT = "dataset_flickr30k.json"


@pytest.fixture
def own_copy(data_root, tmp_path):
    """A data dir of our own to break: the Flickr30K fixture copied, the models linked."""
    shutil.copytree(data_root / "flickr30k", tmp_path / "flickr30k")
    (tmp_path / "models").symlink_to(data_root / "models")
    return tmp_path


def _error(task) -> str:
    with pytest.raises(UserError) as caught:
        task.check([])
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_no_data_dir_says_how_to_give_one_and_the_layout():
    message = _error(Flickr30k())
    assert "--data-dir" in message and LAYOUT in message


def test_a_data_dir_without_the_dataset_folder(tmp_path):
    message = _error(Coco(data_dir=str(tmp_path)))
    assert "is not a directory" in message and "dataset_coco.json" in message


def test_missing_annotation_file(own_copy):
    (own_copy / "flickr30k" / LAYOUT).unlink()
    assert "is missing" in _error(Flickr30k(data_dir=str(own_copy)))


@pytest.mark.parametrize("content", ["not json", json.dumps({"pictures": []}), json.dumps({"images": [{"x": 1}]})])
def test_malformed_annotation_file(own_copy, content):
    (own_copy / "flickr30k" / LAYOUT).write_text(content)
    message = _error(Flickr30k(data_dir=str(own_copy)))
    assert "is not a Karpathy-split JSON" in message and LAYOUT in message


def test_missing_image_file(own_copy):
    (own_copy / "flickr30k" / "flickr30k-images" / "1003.jpg").unlink()
    assert "1 of 60 image files are missing" in _error(Flickr30k(data_dir=str(own_copy)))


def test_too_few_captions_or_images(own_copy):
    assert "fewer than 6 captions" in _error(Flickr30k(data_dir=str(own_copy), captions_per_image=6))
    assert "n_images=100 but" in _error(Flickr30k(data_dir=str(own_copy), n_images=100))


def test_missing_backbone_files(own_copy):
    message = _error(Flickr30k(data_dir=str(own_copy), backbone_dir="models/absent"))
    assert "lacks config.json" in message and "openai/clip-vit-base-patch32" in message


def test_the_command_line_exits_2_before_writing_anything(tmp_path, capsys):
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"tasks": ["flickr30k"], "methods": ["finetune"]}))
    results = tmp_path / "results"
    code = main(["run", "--suite", str(suite), "--results", str(results), "--data-dir", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2 and not results.exists()
    assert err.count("\n") == 1 and LAYOUT in err
