"""U-LiRA (Hayes et al., 2024, "Inexact unlearning needs more careful evaluations to avoid a
false sense of privacy"): the likelihood-ratio membership attack (LiRA, Carlini et al., 2022)
with shadow models that were *unlearned* by the method under test.

Question asked: is the unlearned model's score on a forgotten pair what one would expect from a
model that trained on the pair and had it unlearned by this method ("in"), or from a model that
never saw it ("out")? An exact unlearner makes the two the same distribution, so the attack is at
chance; an inexact one leaves a per-example trace the shadows reveal.

Protocol (the paper's, scaled down; the paper uses hundreds of shadow models per method):
- Targets: ``m`` pairs of the cell's D_f (label 1: trained on, then unlearned by the target) and
  ``m`` pairs of the val split (label 0: the target never trained on them), ``m = min(|D_f|,
  |val|, max_targets // 2)``, drawn with ``default_rng(seed)``. The test split is never used.
- Shadows: the population is D_train ∪ val. The targets are cut into two random halves A_j, B_j
  for each pair of shadows j; shadow 2j trains on A_j plus a random half of the non-target
  population and unlearns a forget set of A_j padded with other pairs of its training half to
  |D_f| (the cell's request size); shadow 2j+1 does the same with B_j. So every target is
  "in" (trained, then unlearned) for exactly K/2 shadows and "out" (never trained on) for the
  other K/2, every shadow trains on about half the population, and every shadow's forget set
  has the cell's size. Shadows are trained through ``context.train_shadow(f"ulira-{k}", ...)``
  (cached and shared by the group's cells) and unlearned by ``context.unlearn`` (the cell's
  method; the ``original`` row keeps them as trained: plain LiRA).
- Score: LiRA's logit-scaled confidence ``log p - log(1 - p)`` with ``p = exp(-loss)`` of the
  per-example loss (``example_losses``). For cross-entropy, ``p`` is the true-class probability,
  as in LiRA; for a fusion retrieval model it is the product of the ITC and ITM terms'
  likelihoods, so the score sees the whole model, not only the ITM head.
- Likelihood ratio: per-example Gaussian means of the in and out scores, one variance shared by
  every example and both sides (LiRA's fixed-variance variant, which it recommends for few
  shadows): the pooled within-example variance, or the variance of all shadow scores when K = 2
  leaves no degree of freedom. With one shared variance the ROC does not depend on its value.
- Metrics from ``roc_curve`` (all thresholds kept) of the target model's log-LR: TPR at FPR ≤ 1%
  and ≤ 0.1% (their resolution is 1/m: with m = 150, FPR ≤ 0.1% means no false positive) and
  the accuracy of the best threshold on the balanced targets. All direction ``retrain``: an
  exact unlearner is at chance (about 0.01, 0.001, 0.5) by construction, so closeness to the
  retrain row and lowness agree. ``cost.ulira_shadow_s`` (info): mean seconds per shadow
  unlearning. Expensive (K trainings per group, K method runs per cell): not in quick suites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from sklearn.metrics import roc_curve

import bench
from bench.directions import INFO, RETRAIN


@dataclass(frozen=True)
class ShadowPlan:
    targets: np.ndarray  # [T] dataset positions the attack scores
    is_member: np.ndarray  # [T] bool: from D_f, so trained on, then unlearned by the target
    trains: list[np.ndarray]  # per shadow: its training set
    forgets: list[np.ndarray]  # per shadow: its forget set, a subset of its training set
    unlearned_in: np.ndarray  # [K, T] bool: shadow k trained on target t, then unlearned it

    def retain(self, k: int) -> np.ndarray:
        return np.setdiff1d(self.trains[k], self.forgets[k])


def plan_shadows(forget, train, val, n_shadows: int, max_targets: int, seed: int) -> ShadowPlan:
    """Targets and the shadows' training and forget sets (see the module docstring)."""
    forget, train, val = (np.asarray(x, dtype=np.int64) for x in (forget, train, val))
    if n_shadows < 2 or n_shadows % 2:
        raise ValueError(f"n_shadows must be even and >= 2, got {n_shadows}")
    m = min(forget.size, val.size, max_targets // 2)
    if m < 1:
        raise ValueError(f"no targets: |D_f| = {forget.size}, |val| = {val.size}, max_targets = {max_targets}")
    rng = np.random.default_rng(seed)
    targets = np.concatenate([rng.choice(forget, m, replace=False), rng.choice(val, m, replace=False)])
    others = np.setdiff1d(np.union1d(train, val), targets)
    pad = forget.size - m  # non-target pairs each forget set needs to reach the cell's |D_f|
    trains, forgets = [], []
    unlearned_in = np.zeros((n_shadows, targets.size), dtype=bool)
    for k in range(n_shadows):
        if k % 2 == 0:  # shadows 2j and 2j+1 unlearn complementary halves of the targets
            halves = np.split(rng.permutation(targets.size), 2)
        unlearned_in[k, halves[k % 2]] = True
        half = rng.choice(others, others.size // 2, replace=False)
        if pad > half.size:
            raise ValueError(f"|D_f| = {forget.size} is too large for shadows on half the population")
        trains.append(np.sort(np.concatenate([targets[unlearned_in[k]], half])))
        forgets.append(np.sort(np.concatenate([targets[unlearned_in[k]], rng.choice(half, pad, replace=False)])))
    return ShadowPlan(targets, np.arange(targets.size) < m, trains, forgets, unlearned_in)


def logit_confidence(losses: np.ndarray) -> np.ndarray:
    """``log p - log(1 - p)`` of ``p = exp(-loss)``, computed stably; losses are floored at
    1e-30 (a perfect fit would score +inf)."""
    losses = np.maximum(np.asarray(losses, dtype=np.float64), 1e-30)
    return -losses - np.log(-np.expm1(-losses))


def ulira_scores(shadow_scores: np.ndarray, unlearned_in: np.ndarray, target_scores: np.ndarray) -> np.ndarray:
    """[T] log-likelihood ratio (in vs out) of each target's score, from [K, T] shadow scores
    and the [K, T] mask of shadows that trained on, then unlearned, each target (the others
    never trained on it); every target needs at least one of each."""
    scores = np.asarray(shadow_scores, dtype=np.float64)
    inside = np.asarray(unlearned_in, dtype=bool)
    n_in, n_out = inside.sum(0), (~inside).sum(0)
    if scores.shape != inside.shape or scores.shape[1:] != np.shape(target_scores):
        raise ValueError(f"shapes differ: {scores.shape}, {inside.shape}, {np.shape(target_scores)}")
    if (n_in == 0).any() or (n_out == 0).any():
        raise ValueError("every target needs at least one in and one out shadow")
    if not np.isfinite(scores).all() or not np.isfinite(target_scores).all():
        raise ValueError("scores contain NaN or infinite values")
    mean_in = (scores * inside).sum(0) / n_in
    mean_out = (scores * ~inside).sum(0) / n_out
    residuals = scores - np.where(inside, mean_in, mean_out)
    dof = scores.size - 2 * scores.shape[1]
    var = (residuals ** 2).sum() / dof if dof > 0 else scores.var()
    var = max(var, np.finfo(np.float64).tiny)
    return ((target_scores - mean_out) ** 2 - (target_scores - mean_in) ** 2) / (2 * var)


def tpr_at_fpr(is_member: np.ndarray, scores: np.ndarray, max_fpr: float) -> float:
    """The highest TPR of a threshold on ``scores`` whose FPR is at most ``max_fpr``."""
    fpr, tpr, _ = roc_curve(is_member, scores, drop_intermediate=False)
    return float(tpr[fpr <= max_fpr].max())


def best_accuracy(is_member: np.ndarray, scores: np.ndarray) -> float:
    """Balanced accuracy ``(TPR + TNR) / 2`` of the best threshold (accuracy on balanced targets)."""
    fpr, tpr, _ = roc_curve(is_member, scores, drop_intermediate=False)
    return float(0.5 * (1.0 + np.max(tpr - fpr)))


@bench.register_attack("ulira")
class ULira(bench.Attack):
    """U-LiRA against the unlearned model, with shadows unlearned by the cell's method.

    Args:
        n_shadows: shadow models K (default 4, for a CPU; even, so every target is in for K/2
            and out for K/2; Hayes et al. use far more, hence the shared variance here).
        max_targets: cap on scored targets, half from D_f and half from val (default 1000).
    """

    name = "ulira"
    param_bounds = {"n_shadows": (2, None), "max_targets": (2, None)}
    directions: ClassVar[dict[str, str]] = {
        "mia.ulira_tpr@0.01": RETRAIN, "mia.ulira_tpr@0.001": RETRAIN, "mia.ulira_acc": RETRAIN,
        "cost.ulira_shadow_s": INFO,
    }

    def __init__(self, n_shadows: int = 4, max_targets: int = 1000):
        if n_shadows % 2:
            raise ValueError(f"n_shadows must be even, got {n_shadows}")
        self.n_shadows = n_shadows
        self.max_targets = max_targets

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        plan = plan_shadows(context.indices("forget"), context.indices("train"), context.indices("val"),
                            self.n_shadows, self.max_targets, context.seed)
        shadow_scores, seconds = [], []
        for k in range(self.n_shadows):
            shadow = context.train_shadow(f"ulira-{k}", plan.trains[k])
            model, took = context.unlearn(shadow, plan.forgets[k], plan.retain(k))
            shadow_scores.append(logit_confidence(context.losses(model, plan.targets)))
            seconds.append(took)
        target = logit_confidence(context.losses(unlearned, plan.targets))
        lr = ulira_scores(np.stack(shadow_scores), plan.unlearned_in, target)
        return {
            "mia.ulira_tpr@0.01": tpr_at_fpr(plan.is_member, lr, 0.01),
            "mia.ulira_tpr@0.001": tpr_at_fpr(plan.is_member, lr, 0.001),
            "mia.ulira_acc": best_accuracy(plan.is_member, lr),
            "cost.ulira_shadow_s": float(np.mean(seconds)),
        }
