"""NLVR2 visual reasoning with a pretrained CLIP or BLIP backbone and a true/false head: is the
statement true of the pair of images? From the NLVR2 layout on the user's disk (Suhr et al.
2019).

Layout: ``DATA_DIR/nlvr2/{train,dev,test1}.json`` (one JSON object a line with ``identifier``,
``sentence`` and ``label`` "True"/"False"; train lines also name their image ``directory``) and
the images ``DATA_DIR/nlvr2/images/<split>[/<directory>]/<split>-<n>-<m>-img{0,1}.png``, where
``<split>-<n>-<m>`` is the identifier without its last part. The files are pooled and split by
image pair per seed; ``n_items`` takes the first N lines. Items, params and metrics:
``tasks.real.entailment``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.registry import register_task
from tasks.real.entailment import StatementClassificationTask
from tasks.real.real_pair_task import PairItems

FILES = ("train.json", "dev.json", "test1.json")


def image_files(images: Path, entry: dict) -> tuple[Path, Path]:
    prefix = str(entry["identifier"]).rsplit("-", 1)[0]
    folder = images / prefix.split("-")[0]
    if "directory" in entry:
        folder = folder / str(entry["directory"])
    return folder / f"{prefix}-img0.png", folder / f"{prefix}-img1.png"


@register_task("nlvr2")
class Nlvr2(StatementClassificationTask):
    name = "nlvr2"
    folder = "nlvr2"
    layout = ("DATA_DIR/nlvr2/{train,dev,test1}.json (identifier, sentence, label) and "
              "DATA_DIR/nlvr2/images/<split>[/<directory>]/<identifier minus its last part>-img{0,1}.png")
    class_names = ("False", "True")
    images_per_item = 2
    # Two images an item memorize faster: at 60 epochs the forget loss was ~0.01, so low that
    # fine-tuning on the retained pairs lowered it further.
    smoke_params = {**StatementClassificationTask.smoke_params, "epochs": 40}

    def read_items(self, root: Path) -> PairItems:
        rows = self.read_records(root, FILES, lambda e: (image_files(root / "images", e), str(e["sentence"]),
                                                       self.class_names.index(str(e["label"]))), "NLVR2 json lines")
        _, first_rows, groups = np.unique([str(files[0]) for files, _, _ in rows], return_index=True,
                                          return_inverse=True)
        paths = [file for k in first_rows for file in rows[k][0]]  # image pair g: paths 2g, 2g + 1
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise self.layout_error(f"{len(missing)} of {len(paths)} image files are missing (e.g. {missing[0]})")
        image_of = np.stack([2 * groups, 2 * groups + 1], axis=1)
        return PairItems(paths=paths, image_of=image_of, texts=[text for _, text, _ in rows], groups=groups,
                         labels=np.array([label for _, _, label in rows]))
