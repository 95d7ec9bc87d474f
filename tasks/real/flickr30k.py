"""Flickr30K image-text retrieval with a pretrained CLIP or BLIP backbone, from the
Karpathy-split layout on the user's disk (Young et al. 2014: 31,783 images, five captions each).

Layout: ``DATA_DIR/flickr30k/dataset_flickr30k.json`` and ``DATA_DIR/flickr30k/flickr30k-images/
<filename>``. Items, splits, params and metrics: ``tasks.real.caption_retrieval``.
"""

from __future__ import annotations

from pathlib import Path

from bench.registry import register_task
from tasks.real.caption_retrieval import CaptionRetrievalTask
from tasks.real.karpathy import read_karpathy


@register_task("flickr30k")
class Flickr30k(CaptionRetrievalTask):
    name = "flickr30k"
    folder = "flickr30k"
    layout = "DATA_DIR/flickr30k/dataset_flickr30k.json (Karpathy split) and DATA_DIR/flickr30k/flickr30k-images/*.jpg"

    def read_items(self, root: Path):
        return read_karpathy(root / "dataset_flickr30k.json", lambda e: root / "flickr30k-images" / e["filename"],
                             self.captions_per_image, self.n_images, self.layout_error)
