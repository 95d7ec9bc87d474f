"""Image-text retrieval on a captioned image collection (Flickr30K, COCO) with a pretrained
backbone: items are (image, caption) pairs, five per image, grouped by image so that no image
crosses splits and ``image`` forgetting deletes all five captions of each chosen image (the
MultiDelete paper's protocol).

Evaluation: Recall@K in the standard multi-caption form (``tasks.metrics.multi_caption``) on
forget, retain and test at one gallery size in images, the smallest part's
(``eval.gallery_images``), each larger part scored as the mean over ``eval_draws`` random
galleries of that many images with all their captions in the part. Each image is encoded once,
each caption once, and the scores are computed chunk by chunk.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import torch

from bench.batches import evaluating, to_device
from bench.directions import HIGHER, INFO, RETRAIN
from bench.splits import Splits
from tasks.metrics.multi_caption import multi_caption_gallery_recall
from tasks.pair_retrieval import PARTS, RECALL_KEYS
from tasks.real.real_pair_task import RealPairTask

EVAL_BATCH = 128


class CaptionRetrievalTask(RealPairTask):
    """Subclasses set ``name``, ``folder`` and ``layout`` and read their annotation file
    (``read_items``, usually through ``tasks.real.karpathy``); the params are shared. Defaults
    follow CLIP fine-tuning practice (lr 1e-5, AdamW, a few epochs; meant for a GPU)."""

    #: One caption per image: the method contract checks forget random pairs, and a random
    #: caption of an image whose other captions are retained is not forgotten by fine-tuning
    #: on them (the paper forgets whole images; tests/tasks/real runs five captions per image).
    smoke_params: ClassVar[dict] = dict(captions_per_image=1, backbone_dir="models/tiny-clip", epochs=40,
                                        batch_size=16, lr=3e-3, max_text_tokens=16, eval_draws=2,
                                        unlearn_batch_size=16)

    def __init__(self, data_dir: str | None = None, n_images: int | None = None, captions_per_image: int = 5,
                 backbone: Literal["clip", "blip"] = "clip", backbone_dir: str | None = None, epochs: int = 5,
                 batch_size: int = 64, lr: float = 1e-5, max_text_tokens: int = 64, eval_draws: int = 5,
                 unlearn_batch_size: int = 64):
        super().__init__(data_dir=data_dir, backbone=backbone, backbone_dir=backbone_dir, epochs=epochs,
                         batch_size=batch_size, lr=lr, max_text_tokens=max_text_tokens,
                         unlearn_batch_size=unlearn_batch_size)
        self.n_images = n_images
        self.captions_per_image = captions_per_image
        self.eval_draws = eval_draws

    @torch.no_grad()
    def evaluate(self, model, splits: Splits, device, seed: int) -> dict[str, float]:
        images_of = {part: self.items().image_of[np.asarray(getattr(splits, part))] for part in PARTS}
        gallery = min(len(np.unique(images)) for images in images_of.values())
        metrics = {"eval.gallery_images": float(gallery)}
        for part in PARTS:
            images, text_image = np.unique(images_of[part], return_inverse=True)
            image_emb, text_emb = self.embeddings(model, images, np.asarray(getattr(splits, part)), device)
            recall = multi_caption_gallery_recall(image_emb, text_emb, text_image, gallery, self.eval_draws, seed)
            metrics.update({f"{part}.{k}": recall[k] for k in RECALL_KEYS})
        return metrics

    def metric_directions(self) -> dict[str, str]:
        recall = {f"{part}.{k}": RETRAIN if part == "forget" else HIGHER for part in PARTS for k in RECALL_KEYS}
        return {**recall, "eval.gallery_images": INFO}

    def embeddings(self, model, images: np.ndarray, items: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor]:
        """Unimodal embeddings of ``images`` (positions in the image list, each encoded once)
        and of the captions of ``items``, on the CPU."""
        with evaluating(model):
            image_emb = [model.encode_a(self.pixels(images[i:i + EVAL_BATCH]).to(device)).float().cpu()
                         for i in range(0, len(images), EVAL_BATCH)]
            text_emb = [model.encode_b(to_device(self.tokens(items[i:i + EVAL_BATCH]), device)).float().cpu()
                        for i in range(0, len(items), EVAL_BATCH)]
        return torch.cat(image_emb), torch.cat(text_emb)
