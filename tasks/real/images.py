"""Images decoded lazily, batch by batch, from their files (a split of COCO never sits in RAM),
resized and normalised as the backbone's ``preprocessor_config.json`` says.

The steps are those of transformers' CLIP and BLIP image processors: resize (the shortest edge
to ``size["shortest_edge"]`` keeping the aspect ratio, or to exactly ``height`` x ``width``),
an optional centre crop to ``crop_size``, scaling to [0, 1] and normalising by ``image_mean``
and ``image_std``. They are done here with PIL and torch, so no torchvision is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from PIL import Image

CONFIG = "preprocessor_config.json"


def _size(value, key: str) -> dict:
    """``224`` (older configs) or ``{"shortest_edge": 224}`` or ``{"height": h, "width": w}``."""
    if isinstance(value, int):
        return {key: value}
    if isinstance(value, dict) and ("shortest_edge" in value or {"height", "width"} <= set(value)):
        return value
    raise ValueError(f"{CONFIG}: unreadable size {value!r}")


class ImagePreprocessor:
    def __init__(self, size: dict, crop: dict | None, mean: Sequence[float], std: Sequence[float], resample: int):
        self.size, self.crop, self.resample = size, crop, resample
        self.mean = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)

    @classmethod
    def from_dir(cls, backbone_dir: Path) -> "ImagePreprocessor":
        config = json.loads((Path(backbone_dir) / CONFIG).read_text())
        crop = _size(config["crop_size"], "height") if config.get("do_center_crop") else None
        if crop is not None and "height" in crop and "width" not in crop:
            crop = {"height": crop["height"], "width": crop["height"]}
        return cls(_size(config["size"], "shortest_edge"), crop, config["image_mean"], config["image_std"],
                   int(config.get("resample", Image.BICUBIC)))

    def _resized(self, image: Image.Image) -> Image.Image:
        if "shortest_edge" in self.size:
            edge, (w, h) = self.size["shortest_edge"], image.size
            scale = edge / min(w, h)
            return image.resize((max(edge, round(w * scale)), max(edge, round(h * scale))), self.resample)
        return image.resize((self.size["width"], self.size["height"]), self.resample)

    def _cropped(self, image: Image.Image) -> Image.Image:
        if self.crop is None:
            return image
        (w, h), (cw, ch) = image.size, (self.crop["width"], self.crop["height"])
        left, top = (w - cw) // 2, (h - ch) // 2
        return image.crop((left, top, left + cw, top + ch))

    def load(self, path: Path) -> torch.Tensor:
        """[3, H, W] normalised pixels of one image file."""
        with Image.open(path) as image:
            pixels = np.asarray(self._cropped(self._resized(image.convert("RGB"))), dtype=np.float32)
        return (torch.from_numpy(pixels).permute(2, 0, 1) / 255.0 - self.mean) / self.std

    def __call__(self, paths: Sequence[Path]) -> torch.Tensor:
        """[B, 3, H, W]; a file listed twice is decoded once."""
        unique = list(dict.fromkeys(paths))
        decoded = {path: self.load(path) for path in unique}
        return torch.stack([decoded[path] for path in paths])
