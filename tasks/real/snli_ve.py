"""SNLI-VE visual entailment with a pretrained CLIP or BLIP backbone and a 3-class head, from
the SNLI-VE layout on the user's disk (Xie et al. 2019: Flickr30K images as premises, SNLI
hypotheses labelled entailment / neutral / contradiction).

Layout: ``DATA_DIR/snli_ve/snli_ve_{train,dev,test}.jsonl`` (one JSON object a line with
``Flickr30K_ID``, ``sentence2`` and ``gold_label``) and the images in
``DATA_DIR/flickr30k/flickr30k-images/<Flickr30K_ID>.jpg`` (the ``flickr30k`` task's folder).
The three files are pooled and split by image per seed, as every task of the harness is;
``n_items`` takes the first N lines. Items, params and metrics: ``tasks.real.entailment``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.registry import register_task
from tasks.real.entailment import StatementClassificationTask
from tasks.real.real_pair_task import PairItems

FILES = ("snli_ve_train.jsonl", "snli_ve_dev.jsonl", "snli_ve_test.jsonl")


@register_task("snli_ve")
class SnliVe(StatementClassificationTask):
    name = "snli_ve"
    folder = "snli_ve"
    layout = ("DATA_DIR/snli_ve/snli_ve_{train,dev,test}.jsonl (Flickr30K_ID, sentence2, gold_label) and "
              "DATA_DIR/flickr30k/flickr30k-images/<Flickr30K_ID>.jpg")
    class_names = ("entailment", "neutral", "contradiction")
    unrelated_label = 1  # neutral: an unrelated image neither entails nor contradicts a hypothesis

    def read_items(self, root: Path) -> PairItems:
        parsed = self.read_records(root, FILES, lambda r: (str(r["Flickr30K_ID"]), str(r["sentence2"]),
                                                         self.class_names.index(r["gold_label"])), "SNLI-VE jsonl")
        ids, inverse = np.unique([image for image, _, _ in parsed], return_inverse=True)
        images = root.parent / "flickr30k" / "flickr30k-images"
        paths = [images / f"{image}.jpg" for image in ids]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise self.layout_error(f"{len(missing)} of {len(paths)} image files are missing (e.g. {missing[0]})")
        return PairItems(paths=paths, image_of=inverse, texts=[text for _, text, _ in parsed], groups=inverse.copy(),
                         labels=np.array([label for _, _, label in parsed]))
