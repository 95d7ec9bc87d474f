"""A data dir holding the tiny Flickr30K and COCO fixtures and the tiny CLIP and BLIP backbones,
written once per session in the standard layouts (``tasks.real.smoke_data``)."""

import pytest

from tasks.real.smoke_data import write_smoke_data


@pytest.fixture(scope="session")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_data")
    for task in ("flickr30k", "coco"):
        write_smoke_data(root, task)
    return root
