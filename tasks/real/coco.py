"""COCO image-text retrieval with a pretrained CLIP or BLIP backbone, from the Karpathy-split
layout on the user's disk (Lin et al. 2014: the 123,287 images of the 2014 release, five or more
captions each, of which the first five are used).

Layout: ``DATA_DIR/coco/dataset_coco.json`` and the images under ``DATA_DIR/coco/<filepath>/
<filename>`` as the JSON names them (``train2014/``, ``val2014/``). Items, splits, params and
metrics: ``tasks.real.caption_retrieval``.
"""

from __future__ import annotations

from pathlib import Path

from bench.registry import register_task
from tasks.real.caption_retrieval import CaptionRetrievalTask
from tasks.real.karpathy import read_karpathy


@register_task("coco")
class Coco(CaptionRetrievalTask):
    name = "coco"
    folder = "coco"
    layout = ("DATA_DIR/coco/dataset_coco.json (Karpathy split) and the images it names under "
              "DATA_DIR/coco/<filepath>/<filename> (train2014/, val2014/)")

    def read_items(self, root: Path):
        return read_karpathy(root / "dataset_coco.json", lambda e: root / e["filepath"] / e["filename"],
                             self.captions_per_image, self.n_images, self.layout_error)
