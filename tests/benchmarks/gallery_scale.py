"""Peak memory and time of multi-caption Recall@K over a COCO-sized test gallery.

    python tests/benchmarks/gallery_scale.py [--images 5000] [--captions-per-image 5] [--dim 512]
                                             [--threads 2] [--chunk 512]

Scores 5,000 images against their 25,000 captions (COCO's 5k test split) with random
embeddings, as ``tasks.real.caption_retrieval`` does after encoding a split: both directions,
Recall@1/5/10, chunk by chunk (``tasks.metrics.multi_caption``). Prints the wall time of the
scoring and the process's peak resident memory (``ru_maxrss``; it includes the interpreter and
torch, about 300-400 MB before any scoring). Targets: under 2 GB and under 30 s on 2 CPU cores.
A script, not a test: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F

from tasks.metrics.multi_caption import DEFAULT_CHUNK, multi_caption_recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--captions-per-image", type=int, default=5)
    parser.add_argument("--dim", type=int, default=512, help="embedding width (CLIP ViT-B/32: 512)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    images = F.normalize(torch.randn(args.images, args.dim, generator=g), dim=-1)
    n_captions = args.images * args.captions_per_image
    texts = F.normalize(torch.randn(n_captions, args.dim, generator=g), dim=-1)
    owner = np.repeat(np.arange(args.images), args.captions_per_image)
    start = time.perf_counter()
    recall = multi_caption_recall(images, texts, owner, chunk=args.chunk)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    full_matrix_mb = args.images * n_captions * 4 / 2**20
    print(f"{args.images} images x {n_captions} captions, d={args.dim}, {args.threads} threads, chunk {args.chunk}")
    print(f"time {seconds:.1f} s (target < 30 s); peak RSS {peak_mb:.0f} MB (target < 2048 MB; "
          f"the full float32 score matrix alone would be {full_matrix_mb:.0f} MB)")
    print(f"r_mean {recall['r_mean']:.3f} (chance level for random embeddings)")


if __name__ == "__main__":
    main()
