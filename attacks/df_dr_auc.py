"""Df-vs-Dr distinguishability AUC (MultiDelete, Cheng & Amiri, ECCV 2024), computed on all data.

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

Protocol (balanced chunks, as in the paper, but over the whole sets rather than one sample):
every pair of D_f and of D_r is scored; D_r is shuffled with ``default_rng(seed)`` and cut into
consecutive, disjoint chunks of |D_f| pairs; up to ``n_chunks`` such chunks are used (fewer when
D_r holds fewer whole chunks, at least one). If D_r is smaller than D_f, all of D_r is one
chunk. Each chunk against the whole D_f gives one balanced AUC; the result is their mean.
"""

from __future__ import annotations

from typing import ClassVar

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
    """Indices into D_r of each chunk: consecutive slices of ``default_rng(seed).permutation``."""
    if n_chunks < 1:
        raise ValueError(f"n_chunks must be >= 1, got {n_chunks}")
    perm = np.random.default_rng(seed).permutation(n_retain)
    if n_retain < n_forget:
        return [perm]
    k = min(n_chunks, n_retain // n_forget)
    return [perm[i * n_forget : (i + 1) * n_forget] for i in range(k)]


def df_dr_auc(forget_scores: np.ndarray, retain_scores: np.ndarray, n_chunks: int, seed: int) -> float:
    """Mean ROC-AUC of D_r (label 1) vs D_f (label 0) over disjoint |D_f|-sized chunks of D_r.

    1.0: every retained pair scores above every forgotten one; 0.5: indistinguishable;
    0.0: every forgotten pair scores above every retained one.
    """
    forget = _scores(forget_scores, "forget_scores")
    retain = _scores(retain_scores, "retain_scores")
    aucs = []
    for chunk in retain_chunks(forget.size, retain.size, n_chunks, seed):
        labels = np.concatenate([np.ones(chunk.size), np.zeros(forget.size)])
        scores = np.concatenate([retain[chunk], forget])
        aucs.append(roc_auc_score(labels, scores))
    return float(np.mean(aucs))


@bench.register_attack("df_dr_auc")
class DfDrAuc(bench.Attack):
    """Df-vs-Dr AUC of the unlearned model, scores = -per-example loss.

    Args:
        n_chunks: how many disjoint |D_f|-sized chunks of D_r to average over (default 5);
            more chunks use more of D_r and lower the variance. The MultiDelete paper's
            evaluation draws one D_r sample of |D_f| pairs, i.e. ``n_chunks=1``.
    """

    name = "df_dr_auc"
    directions: ClassVar[dict[str, str]] = {"auc.df_vs_dr": RETRAIN}

    def __init__(self, n_chunks: int = 5):
        self.n_chunks = n_chunks

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        forget = -np.asarray(context.losses(unlearned, "forget"), dtype=np.float64)
        retain = -np.asarray(context.losses(unlearned, "retain"), dtype=np.float64)
        return {"auc.df_vs_dr": df_dr_auc(forget, retain, self.n_chunks, context.seed)}
