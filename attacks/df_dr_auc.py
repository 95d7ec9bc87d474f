"""Df-vs-Dr distinguishability AUC (MultiDelete, Cheng & Amiri, ECCV 2024).

Question asked: from the unlearned model's matched-pair scores alone, how well can one tell the
forgotten pairs D_f from the retained pairs D_r? The score of a pair is ``-loss`` (higher = the
model finds the pair more plausible); ROC-AUC takes D_r as the positive class (label 1,
member/retained) and D_f as label 0.

How to read it (direction ``retrain``): the original model was trained on both D_f and D_r, so
its two score distributions match and the AUC is about 0.5. The retrained reference never saw
D_f, so it scores D_f lower than D_r and its AUC is above 0.5. Unlearning succeeds when the
unlearned model is as able to tell D_f from D_r as the retrained reference is, i.e. the AUC is
close to the reference's, not as high as possible (an AUC near 1.0 means D_f has been pushed
much further than retraining would, which is itself a detectable trace).

Protocol: the authors' evaluation (github.com/CLU-UML/MultiDelete, ``vl_unlearn/
runner_unlearn.py``) scores every pair of D_f and averages the AUCs of D_f against 5
consecutive, disjoint |D_f|-sized chunks of D_r (their score is the sigmoid of the pair's ITC
similarity; ours is ``-example_losses``, which adds the pair's ITM term). Here D_r is shuffled
with ``default_rng(seed)`` before it is cut, so the chunks do not depend on the storage order;
up to ``n_chunks`` chunks are used (fewer when D_r holds fewer whole chunks, at least one), and
D_r smaller than D_f is one chunk of all of it. ``n_chunks=0`` uses all of D_r as one chunk.

Averaging over chunks is the same as pooling them: an AUC is the mean over (retained,
forgotten) pairs of ``[r > f] + [r = f] / 2``, and equal-sized chunks each contribute the same
number of such pairs, so the mean of the chunk AUCs is exactly the AUC of D_f against the union
of the chunks. ``n_chunks`` only sets how much of D_r is compared: k chunks, k * |D_f| pairs.
"""

from __future__ import annotations

from typing import ClassVar, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

import bench
from bench.directions import RETRAIN


def _scores(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def retain_chunks(n_forget: int, n_retain: int, n_chunks: int, seed: int) -> list[np.ndarray]:
    """Indices into D_r of each chunk: consecutive slices of ``default_rng(seed).permutation``;
    ``n_chunks=0``: one chunk of all of D_r."""
    if n_chunks < 0:
        raise ValueError(f"n_chunks must be >= 0 (0 = all of D_r), got {n_chunks}")
    perm = np.random.default_rng(seed).permutation(n_retain)
    if n_chunks == 0 or n_retain < n_forget:
        return [perm]
    k = min(n_chunks, n_retain // n_forget)
    return [perm[i * n_forget : (i + 1) * n_forget] for i in range(k)]


def chunk_auc(forget_scores: np.ndarray, chunk_scores: Sequence[np.ndarray]) -> float:
    """Mean ROC-AUC of each chunk of D_r scores (label 1) against D_f (label 0)."""
    forget = _scores(forget_scores, "forget_scores")
    aucs = []
    for chunk in chunk_scores:
        chunk = _scores(chunk, "retain_scores")
        labels = np.concatenate([np.ones(chunk.size), np.zeros(forget.size)])
        aucs.append(roc_auc_score(labels, np.concatenate([chunk, forget])))
    return float(np.mean(aucs))


def df_dr_auc(forget_scores: np.ndarray, retain_scores: np.ndarray, n_chunks: int, seed: int) -> float:
    """Mean ROC-AUC of D_r (label 1) vs D_f (label 0) over the chunks of ``retain_chunks``
    (equal to the AUC of D_f against their union; see the module docstring).
    1.0: every retained pair scores above every forgotten one; 0.5: indistinguishable;
    0.0: every forgotten pair scores above every retained one.
    """
    forget = _scores(forget_scores, "forget_scores")
    retain = _scores(retain_scores, "retain_scores")
    return chunk_auc(forget, [retain[chunk] for chunk in retain_chunks(forget.size, retain.size, n_chunks, seed)])


@bench.register_attack("df_dr_auc")
class DfDrAuc(bench.Attack):
    """Df-vs-Dr AUC of the unlearned model, scores = -per-example loss. Only the retained pairs
    in the chunks are scored (5 x |D_f| of them by default, not all of D_r): the same value as
    ``df_dr_auc`` on all of D_r's scores, at a fraction of the passes.

    Args:
        n_chunks: how many disjoint |D_f|-sized chunks of D_r to average over; 5 (default) as
            in the MultiDelete authors' code; 0 compares D_f with all of D_r. More of D_r
            lowers the variance of the estimate.
    """

    name = "df_dr_auc"
    param_bounds = {"n_chunks": (0, None)}
    directions: ClassVar[dict[str, str]] = {"auc.df_vs_dr": RETRAIN}

    def __init__(self, n_chunks: int = 5):
        self.n_chunks = n_chunks

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        forget = -np.asarray(context.losses(unlearned, "forget"), dtype=np.float64)
        retain = context.indices("retain")
        chunks = retain_chunks(forget.size, retain.size, self.n_chunks, context.seed)
        scored = -np.asarray(context.losses(unlearned, retain[np.concatenate(chunks)]), dtype=np.float64)
        return {"auc.df_vs_dr": chunk_auc(forget, np.split(scored, np.cumsum([c.size for c in chunks])[:-1]))}
