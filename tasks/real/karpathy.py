"""The Karpathy-split JSON of Flickr30K and COCO (``dataset_flickr30k.json``,
``dataset_coco.json``; Karpathy & Fei-Fei 2015), read into items grouped by image:

    {"images": [{"filename": "1000092795.jpg", "filepath": "val2014" (COCO only),
                 "split": "train", "sentences": [{"raw": "Two young guys ..."}, ...]}, ...]}

Each image contributes its first ``captions_per_image`` sentences as items (five, the standard
protocol; a few COCO images have six or seven). The file's ``split`` field is not used: like
every task of the harness, train/val/test are drawn by image per seed (``bench.splits``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from tasks.real.real_pair_task import PairItems


def read_karpathy(json_path: Path, image_path: Callable[[dict], Path], captions_per_image: int,
                  n_images: int | None, fail: Callable[[str], Exception]) -> PairItems:
    """The first ``n_images`` images of the file (all when None) and their captions;
    ``image_path(entry)`` says where an entry's file lies; ``fail(problem)`` builds the error."""
    if not json_path.is_file():
        raise fail(f"{json_path} is missing")
    try:
        entries = json.loads(json_path.read_text())["images"]
        entries = entries if n_images is None else entries[:n_images]
        paths = [image_path(entry) for entry in entries]
        captions = [[str(s["raw"]).strip() for s in entry["sentences"]] for entry in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(f"{json_path} is not a Karpathy-split JSON ({type(exc).__name__}: {exc})") from None
    if n_images is not None and len(entries) < n_images:
        raise fail(f"n_images={n_images} but {json_path} lists {len(entries)} images")
    short = [p.name for p, c in zip(paths, captions) if len(c) < captions_per_image]
    if short:
        raise fail(f"{len(short)} images have fewer than {captions_per_image} captions (e.g. {short[0]})")
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise fail(f"{len(missing)} of {len(paths)} image files are missing (e.g. {missing[0]})")
    image_of = np.repeat(np.arange(len(paths)), captions_per_image)
    texts = [c for caps in captions for c in caps[:captions_per_image]]
    return PairItems(paths=paths, image_of=image_of, texts=texts, groups=image_of.copy())
