"""Recall@K with several captions per image (Flickr30K, COCO: five each), scored in chunks.

``image_emb`` is ``[I, d]``, ``text_emb`` ``[T, d]``, and ``text_image[j]`` the image (a row of
``image_emb``) that caption ``j`` describes. Similarity is the dot product. As in the standard
multi-caption evaluation (Karpathy & Fei-Fei 2015; CLIP, ALBEF, BLIP):

* image -> text: a query image is answered at the position of its best-placed caption among
  all ``T`` captions (any of its captions counts);
* text -> image: a query caption is answered at the position of its image among all ``I``.

Ties follow ``tasks.metrics.retrieval`` (expected hit under random tie-breaking, so a constant
score scores chance). Queries are scored ``chunk`` rows at a time: memory grows with
``chunk x max(I, T)``, never with ``I x T``, so COCO's 5,000 test images against their 25,000
captions need tens of MB (``tests/benchmarks/gallery_scale.py`` measures it).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from tasks.metrics.retrieval import DEFAULT_KS, _hit_probability, draw_galleries

DEFAULT_CHUNK = 512


def _check(image_emb: torch.Tensor, text_emb: torch.Tensor, text_image) -> tuple[torch.Tensor, ...]:
    image_emb, text_emb = torch.as_tensor(image_emb).float(), torch.as_tensor(text_emb).float()
    text_image = torch.as_tensor(np.asarray(text_image)).long()
    if image_emb.ndim != 2 or text_emb.ndim != 2 or image_emb.shape[1] != text_emb.shape[1]:
        raise ValueError(f"embeddings must be [I, d] and [T, d], got {tuple(image_emb.shape)} and "
                         f"{tuple(text_emb.shape)}")
    if len(image_emb) == 0 or len(text_emb) == 0:
        raise ValueError("no images or no captions to rank")
    if text_image.shape != (len(text_emb),):
        raise ValueError(f"text_image must give the image of each of the {len(text_emb)} captions")
    if text_image.min() < 0 or text_image.max() >= len(image_emb):
        raise ValueError(f"text_image must index the {len(image_emb)} images")
    if torch.bincount(text_image, minlength=len(image_emb)).min() == 0:
        raise ValueError("every image needs at least one caption")
    if not (torch.isfinite(image_emb).all() and torch.isfinite(text_emb).all()):
        raise ValueError("embeddings contain NaN or infinity; they have no rank")
    return image_emb, text_emb, text_image


def _correct_lists(owner: torch.Tensor, n_queries: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``[Q, m]`` gallery positions of each query's correct items, padded (with its first one)
    to the largest count ``m``, and ``[Q, m]`` which of them are real; ``owner[j]`` is the
    query that gallery item ``j`` answers (the image of caption ``j``)."""
    order = torch.argsort(owner, stable=True)
    counts = torch.bincount(owner, minlength=n_queries)
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(int(counts.max()))
    valid = slot[None, :] < counts[:, None]
    picked = starts[:, None] + torch.where(valid, slot[None, :], 0)
    return order[picked], valid


def _hits(queries, gallery, correct, valid, ks, chunk) -> dict[int, float]:
    """Mean hit probability at each k over all queries, the correct items of query ``i`` being
    ``correct[i][valid[i]]``. Per query: the best correct score, then the incorrect items above
    it and those tied with it (the standings of ``tasks.metrics.retrieval``), from two passes
    over each chunk of scores."""
    totals = dict.fromkeys(ks, 0.0)
    for start in range(0, len(queries), chunk):
        rows = slice(start, min(start + chunk, len(queries)))
        sim = queries[rows] @ gallery.T
        right = sim.gather(1, correct[rows]).masked_fill(~valid[rows], float("-inf"))
        best = right.amax(1, keepdim=True)
        tied_right = (right == best).sum(1)
        standings = ((sim > best).sum(1), (sim == best).sum(1) - tied_right, tied_right)
        for k in ks:
            totals[k] += _hit_probability(*standings, min(k, len(gallery))).sum().item()
    return {k: totals[k] / len(queries) for k in ks}


def multi_caption_recall(image_emb, text_emb, text_image, ks: Sequence[int] = DEFAULT_KS,
                         chunk: int = DEFAULT_CHUNK) -> dict[str, float]:
    """``a2b_r{k}`` (image -> text), ``b2a_r{k}`` (text -> image) in percent, and ``r_mean``,
    the mean of those values (the keys of ``recall_at_k``)."""
    if not ks or any(int(k) < 1 for k in ks):
        raise ValueError(f"ks must be positive integers, got {ks!r}")
    ks = [int(k) for k in ks]
    image_emb, text_emb, text_image = _check(image_emb, text_emb, text_image)
    a2b = _hits(image_emb, text_emb, *_correct_lists(text_image, len(image_emb)), ks, chunk)
    b2a = _hits(text_emb, image_emb, text_image[:, None], torch.ones(len(text_emb), 1, dtype=torch.bool), ks, chunk)
    out = {f"a2b_r{k}": 100.0 * a2b[k] for k in ks} | {f"b2a_r{k}": 100.0 * b2a[k] for k in ks}
    out["r_mean"] = float(np.mean(list(out.values())))
    return out


def multi_caption_gallery_recall(image_emb, text_emb, text_image, gallery_images: int, n_draws: int,
                                 seed: int, ks: Sequence[int] = DEFAULT_KS) -> dict[str, float]:
    """``multi_caption_recall`` averaged over galleries of ``gallery_images`` images, each with
    all of its captions (``draw_galleries``: the whole set once when it has that many images),
    so parts with different numbers of images are compared at one gallery size."""
    text_image = np.asarray(text_image)
    results = []
    for images in draw_galleries(len(image_emb), gallery_images, n_draws, seed):
        texts = np.flatnonzero(np.isin(text_image, images))
        results.append(multi_caption_recall(image_emb[images], text_emb[texts],
                                            np.searchsorted(images, text_image[texts]), ks))
    return {key: float(np.mean([r[key] for r in results])) for key in results[0]}
