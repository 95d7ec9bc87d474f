"""Image-text retrieval on a captioned image collection (Flickr30K, COCO) with a pretrained
backbone: items are (image, caption) pairs, five per image, grouped by image so that no image
crosses splits and ``image`` forgetting deletes all five captions of each chosen image (the
MultiDelete paper's protocol).

Evaluation (``tasks.real.real_retrieval``): Recall@K in the standard multi-caption form on
forget, retain and test at one gallery size in images (``eval.gallery_images``).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from tasks.real.real_retrieval import RealRetrievalTask


class CaptionRetrievalTask(RealRetrievalTask):
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
                         unlearn_batch_size=unlearn_batch_size, eval_draws=eval_draws)
        self.n_images = n_images
        self.captions_per_image = captions_per_image
