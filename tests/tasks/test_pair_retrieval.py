"""PairRetrievalTask.evaluate embeds only the items its galleries draw; the recalls are those of
scoring every item's embedding."""

import numpy as np
import torch

from tasks.metrics.retrieval import gallery_recall
from tasks.pair_retrieval import PARTS, RECALL_KEYS

CPU = torch.device("cpu")


def test_evaluate_equals_recall_over_every_embedding(emoji_setting):
    task, splits, model = emoji_setting.task, emoji_setting.splits, emoji_setting.original
    metrics = task.evaluate(model, splits, CPU, seed=3)
    gallery = int(metrics["eval.gallery_size"])
    assert len(splits.retain) > gallery * task.eval_draws  # retain is drawn from, not scored whole
    for part in PARTS:
        indices = np.asarray(getattr(splits, part))
        ea, eb = task.embeddings(model, indices, CPU)
        sim = ea @ eb.T
        expected = gallery_recall(lambda idx: sim[idx][:, idx], len(indices), gallery, task.eval_draws, 3,
                                  text_ids=task._text_ids[indices])
        # Equal up to a near-tie flipped by batch-size-dependent float kernels on another CPU
        # (one rank in one draw moves a recall by 100 / (gallery x draws) points).
        flip = 100.0 / (gallery * task.eval_draws)
        for key in RECALL_KEYS:
            assert abs(metrics[f"{part}.{key}"] - expected[key]) <= 2 * flip + 1e-9, (part, key)
