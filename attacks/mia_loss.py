"""Loss-based membership inference (Yeom et al., 2018), in the learned-threshold form of the
NeurIPS 2023 Machine Unlearning Challenge starting kit's ``simple_mia`` (logistic regression on
per-example losses, D_f vs test, classes balanced); here with stratified k-fold instead of the
kit's ``StratifiedShuffleSplit``, so every pair is scored exactly once, and with ROC-AUC as well.

An attacker sees the unlearned model's per-example loss on D_f (members of the original
training set, label 1) and on a held-out split (never trained on, label 0) and fits a logistic
regression to tell them apart. The score is the mean cross-validated ROC-AUC (``mia.loss_auc``)
and accuracy (``mia.loss_acc``). The held-out split is a parameter, ``nonmembers``: the
validation split by default, so the test split stays untouched while methods and attacks are
tuned; ``"test"`` is the kit's choice. Being a parameter, it is part of the cell id.

Direction ``retrain`` for both: the retrained reference never saw D_f, so for it D_f looks like
held-out data and the attack is near chance (about 0.5, or a little above when D_f and the
held-out split differ in difficulty). An unlearned model should match the reference, not drive
the attack below it.

Protocol choices:
- Classes are balanced by subsampling the larger side to the smaller size without replacement
  (``default_rng(seed)``), so accuracy has 0.5 as its chance level.
- Stratified k-fold (``n_splits``, shuffled, ``random_state=seed``); ``n_splits`` is clipped to
  the per-class count, which must be at least 2.
- Feature: ``sign(l) * log1p(|l|)`` of the loss ``l`` (``log1p`` for the usual non-negative
  losses). Per-example losses are heavy-tailed (a few near-infinite cross-entropies);
  compressing them helps the solver's conditioning. The transform is monotone, so it cannot
  change what a 1-D threshold can separate; it is defined for negative losses too.
- ``StandardScaler`` then ``LogisticRegression`` in one ``Pipeline``, fitted per fold, so the
  test fold never leaks into the scaling.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import bench
from bench.directions import RETRAIN


def _losses(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).ravel()
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def loss_feature(losses: np.ndarray) -> np.ndarray:
    """The attack's single feature, ``sign(l) * log1p(|l|)``, as an ``[n, 1]`` column."""
    losses = np.asarray(losses, dtype=np.float64)
    return (np.sign(losses) * np.log1p(np.abs(losses)))[:, None]


def balanced_dataset(member_losses, nonmember_losses, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` with equal class counts: the larger side is subsampled (seeded)."""
    members = _losses(member_losses, "member_losses")
    nonmembers = _losses(nonmember_losses, "nonmember_losses")
    n = min(members.size, nonmembers.size)
    if n < 2:
        raise ValueError(
            f"need at least 2 members and 2 non-members, got {members.size} and {nonmembers.size}"
        )
    rng = np.random.default_rng(seed)
    if members.size > n:
        members = members[np.sort(rng.choice(members.size, size=n, replace=False))]
    if nonmembers.size > n:
        nonmembers = nonmembers[np.sort(rng.choice(nonmembers.size, size=n, replace=False))]
    x = loss_feature(np.concatenate([members, nonmembers]))
    y = np.concatenate([np.ones(n, dtype=int), np.zeros(n, dtype=int)])
    return x, y


def mia_loss(member_losses: np.ndarray, nonmember_losses: np.ndarray, n_splits: int, seed: int) -> dict[str, float]:
    """Cross-validated loss attack; returns ``{"auc": mean ROC-AUC, "acc": mean accuracy}``."""
    if n_splits < 2:
        raise ValueError(f"n_splits must be >= 2, got {n_splits}")
    x, y = balanced_dataset(member_losses, nonmember_losses, seed)
    folds = min(n_splits, int(y.sum()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    scores = cross_validate(model, x, y, cv=cv, scoring=("roc_auc", "accuracy"))
    return {
        "auc": float(np.mean(scores["test_roc_auc"])),
        "acc": float(np.mean(scores["test_accuracy"])),
    }


@bench.register_attack("mia_loss")
class MiaLoss(bench.Attack):
    """Loss MIA on the unlearned model: D_f (members) vs a held-out split (non-members).

    Args:
        n_splits: folds of the stratified cross-validation (default 5, the common choice in
            unlearning MIA evaluations); clipped to the per-class count.
        nonmembers: the held-out split whose pairs are the non-members: ``"val"`` (default;
            keeps the test split untouched while tuning) or ``"test"`` (the kit's choice).
    """

    name = "mia_loss"
    param_bounds = {"n_splits": (2, None)}
    directions: ClassVar[dict[str, str]] = {"mia.loss_auc": RETRAIN, "mia.loss_acc": RETRAIN}

    def __init__(self, n_splits: int = 5, nonmembers: Literal["val", "test"] = "val"):
        if nonmembers not in ("val", "test"):
            raise ValueError(f"nonmembers must be 'val' or 'test', got {nonmembers!r}")
        self.n_splits = n_splits
        self.nonmembers = nonmembers

    def run(self, original, unlearned, splits, context) -> dict[str, float]:
        members = context.losses(unlearned, "forget")
        nonmembers = context.losses(unlearned, self.nonmembers)
        out = mia_loss(members, nonmembers, self.n_splits, context.seed)
        return {"mia.loss_auc": out["auc"], "mia.loss_acc": out["acc"]}
